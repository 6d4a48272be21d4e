"""Public transaction modes of a patent: 挂牌 (a fixed-price listing with a notice period), 竞价 (an English
auction with deposits, reserve, increments and anti-sniping) and 开放许可 (open licences on standard terms), all
one workflow subject (:class:`~app.sales.models.Sale`) on the deal workflow engine."""
from __future__ import annotations

from app.core import wiring
from app.payments import hooks


def init_app(app) -> None:
    """Wire the sale pages, API and closing command, and the deposit's payment callbacks."""
    from app.sales import api, cli, views  # its own modules, loaded when the app is wired, not on import
    from app.sales.models import SaleParticipant
    from app.sales.service import sales_service

    wiring.register(app, views=[views.bp], apis=[api.blp], commands=[cli.cli])
    hooks.register(SaleParticipant.payable_kind, on_paid=sales_service.on_deposit_paid,
                   on_failed=sales_service.on_deposit_failed)
