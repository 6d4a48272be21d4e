"""The listing kinds (patents, demands, service offers, …), by resource name: each kind's ``init_app`` registers
its :class:`~app.listings.service.ListingService`, and search, moderation, matching, portfolio, forms and figures
read them from here, so a new kind is one registration, not an edit in each of those places."""
from __future__ import annotations

from marshmallow import fields

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


class ListingField(fields.Dict):
    """A listing of any registered kind in a response, serialised by its kind's response schema (confidential
    fields only for readers allowed them); documented as an object, as each kind's schema is in its own API."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        service = next(s for s in _services.values() if isinstance(value, s.model))
        return service.response_schema.dump(value)
