"""REST API of standalone service orders: ``/api/v1/service-orders`` (list, order), one order with its timeline
and next actions, the action endpoint and the provider's report."""
from __future__ import annotations

from flask_smorest import Blueprint

from app.core.http import API_PREFIX
from app.service_orders.schemas import CreateOrderSchema, ServiceOrderSchema
from app.service_orders.service import service_orders_service
from app.transactions.resource import workflow_routes

blp = Blueprint("service_orders_api", __name__, url_prefix=API_PREFIX,
                description="Pilot-scale (中试) and inspection (检验检测) services ordered on their own: "
                            "request → quote → accept → pay → in progress → report delivered → completed")

workflow_routes(
    blp, service_orders_service, resource="service-orders", schema=ServiceOrderSchema(),
    create_schema=CreateOrderSchema,
    create_doc="Order a provider's published service offer (`offer_id`) with what you need (`request_text`).",
)
