"""Technology-demand service: the listing service configured for demands."""
from __future__ import annotations

from app.demands import schemas
from app.demands.models import DemandIndicator, TechDemand
from app.demands.policy import DemandPolicy
from app.listings.service import ListingService

demands_service = ListingService(
    resource="demands",
    model=TechDemand,
    schema_cls=schemas.DemandSchema,
    policy=DemandPolicy(),
    indicator_model=DemandIndicator,
    confidential=schemas.CONFIDENTIAL,
)
