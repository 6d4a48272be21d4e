"""Standalone service orders: a pilot-scale or inspection service ordered from a provider's offer, run on the
deal workflow engine (request → quote → accept → pay → in progress → report delivered → completed)."""
from __future__ import annotations

from app.core import wiring
from app.payments import hooks
from app.transactions import desk


def init_app(app) -> None:
    """Wire the service-order pages, API and maintenance command, and the order's payment callbacks."""
    from app.service_orders import api, cli, views  # its own modules, loaded when the app is wired
    from app.service_orders.models import ServiceOrder
    from app.service_orders.service import service_orders_service

    wiring.register(app, views=[views.bp], apis=[api.blp], commands=[cli.cli])
    desk.register(service_orders_service)
    hooks.register(ServiceOrder.payable_kind, on_paid=service_orders_service.on_paid,
                   on_failed=service_orders_service.on_failed)
