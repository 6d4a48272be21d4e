"""Technology-demand service: the listing service configured for demands."""
from __future__ import annotations

from app.listings.service import ListingService
from app.core.permissions import DemandPolicy
from app.demands import schemas
from app.demands.models import DemandIndicator, TechDemand

demands_service = ListingService(
    resource="demands",
    model=TechDemand,
    schema_cls=schemas.DemandSchema,
    policy=DemandPolicy(),
    indicator_model=DemandIndicator,
    confidential=schemas.CONFIDENTIAL,
)
