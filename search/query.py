"""The engine-neutral query model: filters, a search request and its result.

Services and permission policies build these objects; each engine translates them into its own query
language, so the same request gives the same hits on tantivy and Elasticsearch.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


class Filter:
    """A boolean condition on document fields (no scoring)."""


@dataclass(frozen=True, init=False)
class Term(Filter):
    """``field`` equals any of ``values`` (an empty list matches nothing)."""

    field: str
    values: tuple

    def __init__(self, field: str, values: Sequence[Any]):
        object.__setattr__(self, "field", field)
        object.__setattr__(self, "values", tuple(values))


@dataclass(frozen=True)
class Range(Filter):
    """``field`` within bounds; ``None`` leaves a side open. Dates are ISO strings."""

    field: str
    gte: Any = None
    lte: Any = None


@dataclass(frozen=True, init=False)
class And(Filter):
    """Every part holds."""

    parts: tuple

    def __init__(self, *parts: Filter):
        object.__setattr__(self, "parts", tuple(p for p in parts if p is not None))


@dataclass(frozen=True, init=False)
class Or(Filter):
    """At least one part holds."""

    parts: tuple

    def __init__(self, *parts: Filter):
        object.__setattr__(self, "parts", tuple(p for p in parts if p is not None))


@dataclass(frozen=True)
class Not(Filter):
    """``part`` does not hold."""

    part: Filter


@dataclass(frozen=True)
class MatchAll(Filter):
    """Every document."""


SORTS = ("relevance", "newest", "price_asc", "price_desc")
OPERATORS = ("or", "and")


@dataclass(frozen=True)
class SearchRequest:
    """One search: free text (analysed by :mod:`search.analysis`), a filter, facets, sort and a page.

    ``text`` empty means "all documents passing the filter", ordered by ``sort`` (relevance → newest).
    ``facets`` name keyword fields whose value counts are returned (counted inside ``filters``).

    Callers that understand their query (the matcher) pass ``terms`` instead of ``text``: already analysed
    terms with a weight each, searched in ``fields`` (field → boost; default: the resource's word fields).
    ``operator`` ``"and"`` requires every term in some field (a search box's words), ``"or"`` any of them.
    ``source`` false returns hits without their stored documents (ids and scores only: decoding each hit's
    document was most of a candidate search's cost), and without highlights.
    """

    resource: str
    text: str = ""
    filters: Filter | None = None
    facets: Sequence[str] = ()
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    highlight_fields: Sequence[str] = ()
    terms: Sequence[tuple[str, float]] = ()
    fields: Mapping[str, float] | None = None
    operator: str = "or"
    source: bool = True

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


@dataclass
class Hit:
    """One matching document: its id, its score and highlighted fragments per field (HTML, ``<mark>``)."""

    id: int
    score: float
    highlights: dict[str, list[str]] = field(default_factory=dict)
    source: dict = field(default_factory=dict)  # the stored search document (the resource's public JSON)


@dataclass
class SearchResult:
    """The page of hits, the total number of matches and facet buckets ``{field: [(value, count), ...]}``."""

    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
