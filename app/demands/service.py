"""Technology-demand service: the listing service configured for demands."""
from __future__ import annotations

from ..listings.service import ListingService
from ..permissions import DemandPolicy
from . import schemas
from .models import DemandIndicator, TechDemand

demands_service = ListingService(
    resource="demands",
    model=TechDemand,
    schema_cls=schemas.DemandSchema,
    policy=DemandPolicy(),
    indicator_model=DemandIndicator,
    confidential=schemas.CONFIDENTIAL,
)
