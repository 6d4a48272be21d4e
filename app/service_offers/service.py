"""Service-offer service: the listing service configured for 中试 / 检验检测 offers."""
from __future__ import annotations

from app.listings.service import ListingService
from app.service_offers import schemas
from app.service_offers.models import ServiceOffer
from app.service_offers.policy import ServiceOfferPolicy

service_offers_service = ListingService(
    resource="services",
    model=ServiceOffer,
    schema_cls=schemas.ServiceOfferSchema,
    policy=ServiceOfferPolicy(),
    confidential=schemas.CONFIDENTIAL,
)
