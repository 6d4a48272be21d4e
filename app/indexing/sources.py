"""What the search index is built from: one source per resource, registered by the domain that owns it.

A source has ``model``, ``sync_index(ids)``, ``count_all()``, ``iter_search_documents()`` and ``get_many(ids)``
(listing services are sources)."""
from __future__ import annotations

_sources: dict = {}


def register(resource: str, source) -> None:
    """Index ``resource``'s documents from ``source``."""
    _sources[resource] = source


def unregister(resource: str) -> None:
    """Stop indexing ``resource`` (a test's throw-away kind)."""
    _sources.pop(resource, None)


def sources() -> dict:
    """Resource name → source, in registration order."""
    return dict(_sources)
