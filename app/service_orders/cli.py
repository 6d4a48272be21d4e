"""``flask service-orders expire``: the scheduled job expiring stale service orders (see ``flask deals expire``)."""
from __future__ import annotations

from flask.cli import AppGroup

from app.service_orders.service import service_orders_service
from app.transactions.cli import expire_command

cli = AppGroup("service-orders", help="Service-order workflow maintenance.")
cli.add_command(expire_command(service_orders_service, "service orders"))
