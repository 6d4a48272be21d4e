"""Matching service: ranked, explained matches between demands, patents and service offers.

Design (see ../shared/docs/search.md): candidates come from the engine (BM25 over the counterpart's text,
inside the viewer's permission filter) and from the nearest stored embedding vectors; then a rerank in our
code over explicit features — lexical relevance, semantic similarity, technical field (IPC overlap and the
field the best lexical matches agree on), technical indicator fit, maturity, price against budget and
region — weighted by ``MATCH_WEIGHTS``. Every result carries its explanation.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from search.analysis import analyze, normalise
from search.query import And, SearchRequest, Term

from ..demands.service import demands_service
from ..identity import Identity
from ..patents.service import patents_service
from ..search_engine import search
from ..service_offers.service import service_offers_service
from . import embeddings
from .features import (ClassificationConsensus, Feature, MatchResult, classification_fit, combine, indicator_fit,
                       maturity_fit, price_fit, region_fit)

LEXICAL_CANDIDATES = 100
SEMANTIC_CANDIDATES = 50
CONSENSUS_DEPTH = 20  # top lexical candidates whose IPC codes vote on the technical field
MATCHED_TERMS_SHOWN = 12
# e5 cosines of related Chinese texts lie around 0.80–0.92; stretch that band onto [0, 1].
COSINE_FLOOR, COSINE_SPAN = 0.78, 0.15


@dataclass(frozen=True)
class Direction:
    """Which way a match runs: source listing → counterpart resource."""

    source_service: object
    target_service: object

    @property
    def target(self) -> str:
        return self.target_service.resource


DEMAND_TO_PATENTS = Direction(demands_service, patents_service)
PATENT_TO_DEMANDS = Direction(patents_service, demands_service)
DEMAND_TO_SERVICES = Direction(demands_service, service_offers_service)


def source_text(obj) -> str:
    """The text a listing is matched by."""
    body = getattr(obj, "abstract", None) or getattr(obj, "description", None) or ""
    return " ".join([obj.title, " ".join(obj.keywords or []), body])


def matches_for(identity: Identity, direction: Direction, source_id: int, limit: int = 10,
                service_kind: str | None = None) -> list[MatchResult]:
    """Ranked matches of listing ``source_id`` among the counterparts ``identity`` may see."""
    source = direction.source_service.get(identity, source_id)
    return rank(identity, direction, source, limit=limit, service_kind=service_kind)


def rank(identity: Identity, direction: Direction, source, limit: int = 10,
         service_kind: str | None = None) -> list[MatchResult]:
    """Score the candidates for ``source`` (saved or transient) and return the best ``limit``."""
    visible = direction.target_service.policy.search_filter("read", identity)
    if service_kind:
        visible = And(visible, Term("kind", [service_kind]))
    text = source_text(source)
    hits = search.engine.search(
        SearchRequest(resource=direction.target, text=text, filters=visible, per_page=LEXICAL_CANDIDATES)
    ).hits
    top_score = max((hit.score for hit in hits), default=0.0) or 1.0
    lexical = {hit.id: hit.score / top_score for hit in hits}
    cosines = _semantic_candidates(direction, text, visible, exclude=set(lexical))
    candidates = direction.target_service.get_many(list(lexical) + [i for i in cosines if i not in lexical],
                                                   with_indicators=True)
    if cosines or embeddings.has_vectors(direction.target):
        query_vector = embeddings.embed_query(text)
        for candidate_id, vector in embeddings.vectors_for(direction.target, [c.id for c in candidates]).items():
            cosines.setdefault(candidate_id, float(vector @ query_vector))
    by_lexical = sorted(candidates, key=lambda c: -lexical.get(c.id, 0.0))[:CONSENSUS_DEPTH]
    consensus = ClassificationConsensus({c.id: (_codes(c), lexical.get(c.id, 0.0)) for c in by_lexical})
    context = _Context(query_terms=list(dict.fromkeys(analyze(text))), consensus=consensus,
                       weights=current_app.config["MATCH_WEIGHTS"])
    results = [_score(source, candidate, lexical.get(candidate.id, 0.0), cosines.get(candidate.id), context)
               for candidate in candidates]
    results.sort(key=lambda r: (-r.score, r.obj.id))
    return results[:limit]


@dataclass(frozen=True)
class _Context:
    query_terms: list[str]
    consensus: ClassificationConsensus
    weights: dict[str, float]


def _semantic_candidates(direction: Direction, text: str, visible, exclude: set[int]) -> dict[int, float]:
    """Nearest stored vectors to ``text`` that the viewer may see (checked by the engine's filter)."""
    if not embeddings.has_vectors(direction.target):
        return {}
    nearest = embeddings.vector_index.nearest(direction.target, embeddings.embed_query(text), SEMANTIC_CANDIDATES)
    wanted = [i for i, _ in nearest if i not in exclude]
    if not wanted:
        return {}
    allowed = {
        hit.id
        for hit in search.engine.search(
            SearchRequest(resource=direction.target, filters=And(visible, Term("id", wanted)), per_page=len(wanted))
        ).hits
    }
    return {i: cosine for i, cosine in nearest if i in allowed}


def _oriented(source, candidate):
    """(demand, offer) whatever the direction, so features read the same way."""
    return (source, candidate) if hasattr(source, "budget_max") else (candidate, source)


def _score(source, candidate, lexical: float, cosine: float | None, context: _Context) -> MatchResult:
    demand, offer = _oriented(source, candidate)
    candidate_text = normalise(source_text(candidate))
    matched_terms = sorted((t for t in context.query_terms if t in candidate_text), key=len, reverse=True)
    semantic = None if cosine is None else (cosine - COSINE_FLOOR) / COSINE_SPAN
    indicators, checks = indicator_fit(demand.indicators, getattr(offer, "indicators", []), source_text(offer))
    features = {
        "lexical": Feature(lexical, ", ".join(matched_terms[:5])),
        "semantic": Feature(semantic, "" if cosine is None else f"cosine {cosine:.3f}"),
        "classification": classification_fit(_codes(source), _codes(candidate), context.consensus.for_candidate(candidate.id),
                                             _industry(demand), _industry(offer)),
        "indicators": indicators,
        "maturity": maturity_fit(_maturity(getattr(offer, "maturity", None)), _maturity(demand.required_maturity)),
        "price": price_fit(_price(offer), _float(demand.budget_min), _float(demand.budget_max)),
        "region": region_fit(demand.region, offer.region),
    }
    score, breakdown = combine(features, context.weights)
    explanation = {"matched_terms": matched_terms[:MATCHED_TERMS_SHOWN], "indicators": checks, "features": breakdown}
    return MatchResult(candidate, score, explanation)


def _codes(obj) -> list[str]:
    return list(getattr(obj, "ipc_codes", None) or [])


def _industry(obj) -> str | None:
    industries = getattr(obj, "industries", None)
    return obj.industry if getattr(obj, "industry", None) else (industries[0] if industries else None)


def _maturity(value) -> str | None:
    return value.value if value is not None else None


def _price(offer) -> float | None:
    price = getattr(offer, "asking_price", None) or getattr(offer, "price_from", None)
    return float(price) if price is not None else None


def _float(value) -> float | None:
    return float(value) if value is not None else None
