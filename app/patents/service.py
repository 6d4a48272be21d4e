"""Patent service: the listing service configured for patents, plus PDF attachments."""
from __future__ import annotations

from app.listings.service import ListingService
from app.patents import schemas
from app.patents.models import Patent, PatentIndicator
from app.patents.policy import PatentPolicy

patents_service = ListingService(
    resource="patents",
    model=Patent,
    schema_cls=schemas.PatentSchema,
    policy=PatentPolicy(),
    indicator_model=PatentIndicator,
    confidential=schemas.CONFIDENTIAL,
)
