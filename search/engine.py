"""The engine protocol and what every engine shares: highlighting, suggestions, "more like this".

An engine indexes search documents (a resource schema's dump, keyed by ``id``) and answers
:class:`~search.query.SearchRequest`\\ s. Engines implement ``_run`` (query → ids, scores, sources, facet
counts) and the index maintenance methods; everything users see on top of that is computed here, once,
so both engines behave the same.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from .analysis import analyze, normalise
from .highlight import highlight
from .query import And, Filter, Hit, Not, SearchRequest, SearchResult, Term
from .specs import SUGGEST_PREFIX_MAX, resources, spec

MLT_FIELDS = ("title", "keywords")


@dataclass
class RawHit:
    """What an engine returns per hit before highlighting."""

    id: int
    score: float
    source: dict


class EngineUnavailable(RuntimeError):
    """The engine could not be reached or refused a write; callers keep the change for later."""


class IndexDamaged(EngineUnavailable):
    """An index is missing or its files are damaged: searches fail until ``reindex`` rebuilds it."""


class Engine(ABC):
    """The search engine protocol (see module docstring)."""

    @property
    def resources(self) -> tuple[str, ...]:
        """Every resource this engine indexes (see :func:`search.specs.resources`)."""
        return resources()

    @abstractmethod
    def ensure_indexes(self) -> list[str]:
        """Create missing indexes (and aliases) for every resource; returns the resources created empty."""

    @abstractmethod
    def problems(self) -> dict[str, str]:
        """Resource → what is wrong with its index (missing, damaged, unreachable); empty when all is well."""

    def mark_incomplete(self, resource: str, reason: str) -> None:
        """Remember that ``resource``'s index lacks documents the database has, until ``reindex`` replaces it."""

    @contextmanager
    def writer_lease(self, blocking: bool = False) -> Iterator[bool]:
        """Yield whether this process may write now. Engines that take concurrent writers always may; the
        embedded engine allows one writing process per index folder (see its module docstring)."""
        yield True

    @abstractmethod
    def index(self, resource: str, documents: list[dict]) -> None:
        """Insert or replace ``documents`` (by their ``id``) and make them searchable."""

    @abstractmethod
    def delete(self, resource: str, ids: list[int]) -> None:
        """Remove documents by id (missing ids are ignored)."""

    @abstractmethod
    def count(self, resource: str) -> int:
        """Documents in ``resource``'s live index."""

    @abstractmethod
    def reindex(self, resource: str, documents: Iterable[dict], progress: Callable[[int], None] | None = None) -> int:
        """Build a fresh index from ``documents``, switch readers to it, drop the old one; returns the count."""

    @abstractmethod
    def drop_all(self) -> None:
        """Delete every index of this engine's prefix (tests, ``clean``)."""

    @abstractmethod
    def _run(self, request: SearchRequest, terms: list[tuple[str, float]]) -> tuple[int, list[RawHit], dict[str, list[tuple[str, int]]]]:
        """Execute ``request`` with analysed, weighted ``terms``: (total, page of hits, facet buckets).

        Hits carry their stored document unless ``request.source`` is false (then an empty ``source``).

        Each term is searched in ``request.fields`` (default: the resource's boosts) with the field's boost
        times the term's weight; ``request.operator`` says whether every term or any term must match.
        """

    @abstractmethod
    def document_frequencies(self, resource: str, fields: Sequence[str], terms: Iterable[str]) -> dict[str, int]:
        """How many documents of ``resource`` contain each of ``terms`` in any of ``fields`` (IDF, stop-words,
        and telling a query's unknown words from its known ones)."""

    def unknown_terms(self, resource: str, fields: Sequence[str], terms: Sequence[str]) -> list[str]:
        """Those of ``terms`` (each once, in order) that no document of ``resource`` contains in any of ``fields``
        (a search box's words the index does not know). Engines may answer it without counting documents."""
        frequencies = self.document_frequencies(resource, fields, terms)
        return [term for term in dict.fromkeys(terms) if not frequencies.get(term)]

    # ------------------------------------------------------------------ shared behaviour

    def search(self, request: SearchRequest) -> SearchResult:
        """Run ``request``: hits in score order (ties by id), highlights, facets sorted by count then value."""
        terms = query_terms(request)
        total, raw_hits, facets = self._run(request, terms)
        hits = []
        unique_terms = sorted({term for term, _ in terms})
        for raw in raw_hits:
            highlights = {}
            for field in request.highlight_fields if request.source else ():
                fragments = highlight(raw.source.get(field), unique_terms)
                if fragments:
                    highlights[field] = fragments
            hits.append(Hit(id=raw.id, score=raw.score, highlights=highlights, source=raw.source))
        ordered_facets = {
            field: sorted(buckets, key=lambda bucket: (-bucket[1], bucket[0])) for field, buckets in facets.items()
        }
        return SearchResult(total=total, hits=hits, facets=ordered_facets)

    def suggest(self, resource: str, prefix: str, filters: Filter, limit: int = 8) -> list[str]:
        """Titles starting with ``prefix`` (normalised), newest first, within ``filters``."""
        compact = "".join(normalise(prefix or "").split())[:SUGGEST_PREFIX_MAX]
        if not compact:
            return []
        request = SearchRequest(resource=resource, filters=And(filters, Term("suggest", [compact])),
                                sort="newest", per_page=limit * 2)
        _, raw_hits, _ = self._run(request, [])
        titles: list[str] = []
        for raw in raw_hits:
            title = raw.source.get("title")
            if title and title not in titles:
                titles.append(title)
        return titles[:limit]

    def more_like_this(self, resource: str, listing_id: int, filters: Filter, limit: int = 6) -> list[Hit]:
        """Documents like ``listing_id`` by its title and keywords, within ``filters``, itself excluded."""
        source = self.get_source(resource, listing_id)
        if source is None:
            return []
        text = " ".join(str(v) for field in MLT_FIELDS for v in _as_list(source.get(field)))
        request = SearchRequest(resource=resource, text=text,
                                filters=And(filters, Not(Term("id", [listing_id]))), per_page=limit)
        return self.search(request).hits

    def get_source(self, resource: str, listing_id: int) -> dict | None:
        """The stored document ``listing_id`` (no permission filter: callers check the viewer first)."""
        request = SearchRequest(resource=resource, filters=Term("id", [listing_id]), per_page=1)
        _, raw_hits, _ = self._run(request, [])
        return raw_hits[0].source if raw_hits else None

    @staticmethod
    def text_fields(resource: str) -> dict[str, float]:
        return spec(resource).boosts


def query_terms(request: SearchRequest) -> list[tuple[str, float]]:
    """The request's weighted terms: its own ``terms``, else its analysed text (each distinct word once)."""
    if request.terms:
        return list(request.terms)
    return [(token, 1.0) for token in dict.fromkeys(analyze(request.text))]


def search_fields(request: SearchRequest) -> dict[str, float]:
    """Field → boost the request's terms are searched in."""
    return dict(request.fields) if request.fields else spec(request.resource).boosts


def _as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def create_engine(url: str | None, index_dir: str, prefix: str, plain_json: bool = False) -> Engine:
    """Elasticsearch when ``url`` is set, else the embedded tantivy engine under ``index_dir``."""
    if url:
        from .engines.es_engine import ElasticsearchEngine

        return ElasticsearchEngine(url, prefix=prefix, plain_json=plain_json)
    from .engines.tantivy_engine import TantivyEngine

    return TantivyEngine(index_dir, prefix=prefix)
