"""The service-order service: ordering a provider's published offer, then the workflow engine's single
``execute_action`` entry point, documents, payment callbacks and expiry (all inherited)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core.errors import ValidationFailed
from app.core.extensions import db
from app.core.identity import Identity
from app.core.uow import unit_of_work
from app.core.workflow import WorkflowService, load
from app.service_offers.models import ServiceOffer
from app.service_offers.service import service_offers_service
from app.service_orders.actions import DOCUMENTS_FOLDER, MACHINE, STATUS_LABELS
from app.service_orders.models import ServiceOrder, ServiceOrderDocument, ServiceOrderEvent
from app.service_orders.policy import service_order_policy
from app.service_orders.schemas import CreateOrderSchema


class ServiceOrderService(WorkflowService):
    """Service orders on the workflow engine."""

    subject_label = _l("Service order")
    link_prefix = "/service-orders"

    def status_label(self, status) -> str:
        return STATUS_LABELS[status]

    @unit_of_work
    def create(self, identity: Identity, data: dict, *, uow) -> ServiceOrder:
        """Order a published pilot-scale or inspection service as the customer; the provider is asked to quote."""
        service_order_policy.require("open", identity, message="log in as a member of the organisation that orders")
        loaded = load(CreateOrderSchema, data)
        offer = db.session.get(ServiceOffer, loaded["offer_id"])
        if offer is None or not service_offers_service.policy.allows("book", identity, offer):
            raise ValidationFailed({"offer_id": ["not a published service offer"]})
        if offer.org_id == identity.org_id:
            raise ValidationFailed({"offer_id": ["this is your own organisation's service"]})
        order = ServiceOrder(offer_id=offer.id, title=offer.title, buyer_org_id=identity.org_id,
                             seller_org_id=offer.org_id, requested_by_id=identity.user_id,
                             request_text=loaded["request_text"])
        self.record_creation(identity, order, {"offer_id": offer.id, "request_text": loaded["request_text"]},
                             uow=uow)
        return order


service_orders_service = ServiceOrderService(
    model=ServiceOrder, event_model=ServiceOrderEvent, document_model=ServiceOrderDocument, fk="order_id",
    documents_folder=DOCUMENTS_FOLDER, machine=MACHINE,
)
