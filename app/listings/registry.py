"""The listing kinds (patents, demands, service offers, …), each declared once as a :class:`ListingKind` and
registered by its package's ``init_app``. Search, moderation, matching, portfolio, the owners' forms, the public
pages and the figures read the kinds from here, so a new kind is one declaration, not an edit in each of them."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from marshmallow import fields, validate
from werkzeug.routing import BaseConverter
from werkzeug.routing import ValidationError as NoRoute

from app.indexing import sources
from search import specs


@dataclass(frozen=True)
class ListingKind:
    """Everything the site needs to know about one kind of listing.

    ``service`` holds the model, schema, policy and confidential fields; ``name`` / ``singular`` are its labels
    (lazy strings); ``owner_kind`` the organisation kind that lists it (imports, demo data); ``form`` the
    owners' form sections; ``facets``, ``ranges`` (URL prefix → indexed field), ``highlight`` and
    ``price_field`` its search page; ``facts`` the public fields its page shows; ``mapping`` its search
    mapping file when it is not one of ``search/mappings``.
    """

    service: object
    name: object
    singular: object
    owner_kind: str
    form: tuple
    facets: tuple[str, ...]
    ranges: dict[str, str]
    highlight: tuple[str, ...]
    price_field: str | None
    facts: tuple[str, ...]
    mapping: Path | None = field(default=None)

    @property
    def resource(self) -> str:
        """The kind's name in URLs, the API and the search index (``patents``, ``demands``, ``services``)."""
        return self.service.resource


_kinds: dict[str, ListingKind] = {}


def register(kind: ListingKind) -> None:
    """Make ``kind`` known to every domain that works on all listings, and to the search index."""
    _kinds[kind.resource] = kind
    sources.register(kind.resource, kind.service)
    if kind.mapping is not None:
        specs.register_mapping(kind.resource, kind.mapping)


def unregister(resource: str) -> None:
    """Forget a kind (a test's throw-away kind)."""
    _kinds.pop(resource, None)
    sources.unregister(resource)
    specs.unregister_mapping(resource)


def kinds() -> dict[str, ListingKind]:
    """Resource name → :class:`ListingKind`, in registration order."""
    return dict(_kinds)


def kind(resource: str) -> ListingKind:
    """The kind named ``resource`` (``KeyError`` when there is none)."""
    return _kinds[resource]


def validate_resource(value: str) -> None:
    """A marshmallow validator: ``value`` must name a registered kind."""
    validate.OneOf(list(_kinds))(value)  # the choices are the kinds registered now


def listing_services() -> dict:
    """Resource name → :class:`~app.listings.service.ListingService`, in registration order."""
    return {resource: declared.service for resource, declared in _kinds.items()}


class KindConverter(BaseConverter):
    """``<kind:resource>`` in a URL rule: the name of a registered listing kind; other names are 404."""

    regex = r"[a-z_]+"
    part_isolating = True

    def to_python(self, value: str) -> str:
        if value not in _kinds:
            raise NoRoute()
        return value


class ListingField(fields.Dict):
    """A listing of any registered kind in a response, serialised by its kind's response schema (confidential
    fields only for readers allowed them); documented as an object, as each kind's schema is in its own API."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None or isinstance(value, dict):  # a search hit: the kind's stored document, already its JSON
            return value
        service = next(k.service for k in _kinds.values() if isinstance(value, k.service.model))
        return service.response_schema.dump(value)
