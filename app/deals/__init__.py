"""Deals: the transaction workflow joining a buyer and a seller organisation around patents, from inquiry to a
paid, registered contract. The workflow engine in :mod:`app.core.workflow` also runs standalone service orders."""
from __future__ import annotations

from app.core import wiring
from app.patents.policy import NdaParty
from app.payments import hooks
from app.transactions import desk


def init_app(app) -> None:
    """Wire the deal pages, API and maintenance commands, and the deal's payment callbacks."""
    from app.deals import api, cli, views  # its own modules, loaded when the app is wired, not on import
    from app.deals.models import Deal
    from app.deals.service import deals_service, nda_signed_between

    wiring.register(app, views=[views.bp], apis=[api.blp], commands=[cli.cli])
    NdaParty.signed_between = staticmethod(nda_signed_between)  # confidential patent fields unlock for NDA parties
    desk.register(deals_service)
    hooks.register(Deal.payable_kind, on_paid=deals_service.on_paid, on_failed=deals_service.on_failed)
