"""The listing kinds (patents, demands, service offers, …), by resource name: each kind's ``init_app`` registers
its :class:`~app.listings.service.ListingService`, and search, moderation, matching, portfolio, forms and figures
read them from here, so a new kind is one registration, not an edit in each of those places."""
from __future__ import annotations

from app.indexing import sources

_services: dict = {}


def register(service) -> None:
    """Make ``service``'s kind known to every domain that works on all listings (and to the search index)."""
    _services[service.resource] = service
    sources.register(service.resource, service)


def unregister(resource: str) -> None:
    """Forget a kind (a test's throw-away kind)."""
    _services.pop(resource, None)
    sources.unregister(resource)


def listing_services() -> dict:
    """Resource name → :class:`~app.listings.service.ListingService`, in registration order."""
    return dict(_services)
