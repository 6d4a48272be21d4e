"""The three listing services, by resource name (``patents``, ``demands``, ``services``)."""
from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def listing_services() -> dict:
    """Resource name → :class:`~app.listings.service.ListingService`."""
    from app.demands.service import demands_service
    from app.patents.service import patents_service
    from app.service_offers.service import service_offers_service

    return {"patents": patents_service, "demands": demands_service, "services": service_offers_service}
