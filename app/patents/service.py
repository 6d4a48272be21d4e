"""Patent service: the listing service configured for patents, plus PDF attachments."""
from __future__ import annotations

from ..listings.service import ListingService
from ..permissions import PatentPolicy
from . import schemas
from .models import Patent, PatentIndicator

patents_service = ListingService(
    resource="patents",
    model=Patent,
    schema_cls=schemas.PatentSchema,
    policy=PatentPolicy(),
    indicator_model=PatentIndicator,
    confidential=schemas.CONFIDENTIAL,
)
