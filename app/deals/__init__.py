"""Deals: the transaction workflow joining a buyer and a seller organisation around patents, from inquiry to a
paid, registered contract. The workflow engine in :mod:`app.core.workflow` also runs standalone service orders."""
from __future__ import annotations

from app.core import wiring
from app.payments import hooks


def init_app(app) -> None:
    """Wire the deal pages, API and maintenance commands, and the deal's payment callbacks."""
    from app.deals import api, cli, views  # its own modules, loaded when the app is wired, not on import
    from app.deals.models import Deal
    from app.deals.service import deals_service

    wiring.register(app, views=[views.bp], apis=[api.blp], commands=[cli.cli])
    hooks.register(Deal.payable_kind, on_paid=deals_service.on_paid, on_failed=deals_service.on_failed)
