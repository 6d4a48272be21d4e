"""Search service: builds engine requests from user parameters, inside the viewer's permission filter.

The engine returns ids, scores, highlights and facet counts; rows come back from SQL in ranked order and
are dumped with the resource's own schema, so a hit and a detail read show the same JSON.

A search box's words are all required (generic words such as 技术 or 方法 aside): a query whose words the
index does not know finds nothing instead of everything that shares one common word with it. When no
listing has every word but most of the words are known, the listings with some of them come back as
*related* results (``exact: false``), and the unknown words are named (``unknown_terms``).
"""
from __future__ import annotations

from dataclasses import replace

from app.core.identity import Identity
from app.core.search import search
from app.core.validators import ipc_titles
from app.listings.registry import kind, listing_services
from search.analysis import static_generic_terms
from search.analysis import words as segment
from search.query import And, Range, SearchRequest, SearchResult, Term
from search.specs import spec


def search_listings(identity: Identity, resource: str, params: dict) -> dict:
    """Run a search for ``identity``; ``params`` come validated from :class:`SearchArgs`."""
    declared = kind(resource)
    service = declared.service
    request = SearchRequest(
        resource=resource,
        filters=search_filters(identity, resource, params),
        facets=list(declared.facets),
        sort=_sort(resource, params.get("sort", "relevance")),
        page=params.get("page", 1),
        per_page=params.get("per_page", 20),
        highlight_fields=list(declared.highlight),
    )
    words, unknown = query_words(resource, params.get("q") or "")
    exact = True
    if words:
        request = replace(request, terms=[(w, 1.0) for w in words], operator="and")
        result = search.engine.search(request)
        known = [w for w in words if w not in unknown]
        if not result.total:
            exact = False
            if len(known) * 2 > len(words):  # most words are known: show what has some of them
                result = search.engine.search(replace(request, terms=[(w, 1.0) for w in known], operator="or"))
    elif unknown:
        exact, result = False, SearchResult(total=0, hits=[])
    else:
        result = search.engine.search(request)
    # A hit is its stored search document (the public JSON), so no row is loaded or dumped per hit; but the
    # index can lag the database by one drain, so the page's ids are checked against the policy in SQL.
    readable = service.readable_ids(identity, [hit.id for hit in result.hits])
    hits = [{**hit.source, "score": hit.score, "highlights": hit.highlights}
            for hit in result.hits if hit.id in readable]
    return {"total": result.total, "page": params.get("page", 1), "per_page": params.get("per_page", 20),
            "hits": hits, "facets": _labelled(result.facets), "exact": exact, "unknown_terms": unknown}


def query_words(resource: str, text: str) -> tuple[list[str], list[str]]:
    """The words of a search box's ``text`` that must match, and those of them no listing contains.

    Words are jieba's precise segmentation (a compound stays one word); generic words are dropped unless
    nothing else is left. Returns ``([], [])`` for an empty query.
    """
    precise = list(dict.fromkeys(segment(text)))
    words = [w for w in precise if w not in static_generic_terms()] or precise
    if not words:
        return [], []
    unknown = search.engine.unknown_terms(resource, list(spec(resource).boosts), words)
    return (words if len(unknown) < len(words) else []), unknown


def search_filters(identity: Identity, resource: str, params: dict):
    """The engine filter for ``params`` (facet values, price/budget ranges) inside ``identity``'s permissions."""
    clauses = [listing_services()[resource].policy.search_filter("read", identity)]
    for field in kind(resource).facets:
        values = params.get(field)
        if values:
            clauses.append(Term(field, values))
    for prefix, field in kind(resource).ranges.items():
        low, high = params.get(f"{prefix}_min"), params.get(f"{prefix}_max")
        if low is not None or high is not None:
            clauses.append(Range(field, gte=low, lte=high))
    return And(*clauses)


def suggest(identity: Identity, resource: str, prefix: str, limit: int = 8) -> list[str]:
    """Title completions for ``prefix`` among listings ``identity`` may see."""
    service = listing_services()[resource]
    return search.engine.suggest(resource, prefix, service.policy.search_filter("read", identity), limit)


def similar(identity: Identity, resource: str, listing_id: int, limit: int = 6) -> list:
    """Listings like ``listing_id`` ("similar patents"), among those ``identity`` may see."""
    service = listing_services()[resource]
    service.get(identity, listing_id)  # 404 unless the viewer may see the listing itself
    hits = search.engine.more_like_this(resource, listing_id, service.policy.search_filter("read", identity), limit)
    rows = service.get_many([hit.id for hit in hits if hit.id != listing_id])
    return [row for row in rows if service.policy.allows("read", identity, row)]


def _sort(resource: str, sort: str) -> str | tuple:
    if sort == "newest":
        return "newest"
    if sort in ("price_asc", "price_desc"):
        return sort
    return "relevance"


def _labelled(facets: dict) -> dict:
    """Facet buckets as ``{value, count, label}``; IPC buckets carry their titles."""
    titles = ipc_titles()
    return {
        field: [{"value": value, "count": count, "label": titles.get(value) if field.startswith("ipc_") else None}
                for value, count in buckets]
        for field, buckets in facets.items()
    }
