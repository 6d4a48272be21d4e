"""Matching service: ranked, explained matches between demands, patents and service offers.

Design (see ../shared/docs/search.md and the dev benchmark in ``bench/``):

1. **Query understanding** (:mod:`.query`): the source listing becomes its title's informative words, a few
   key phrases of its body and (for a demand) its whole text as a passage; generic words are dropped.
2. **Candidates from two lists**, both inside the viewer's permission filter: BM25 over the counterpart's
   titles and keywords (key phrases weighted lower than title words, bodies lower still) and the nearest
   stored embedding vectors of each semantic query (the title, the title with its key phrases, the passage).
3. **A rerank over explicit features** — lexical relevance, semantic similarity, technical field (IPC
   overlap and the field the best lexical matches agree on), technical indicator fit, maturity, price
   against budget and region — weighted by ``MATCH_WEIGHTS``; a feature with no data on either side is left
   out. Every result carries the facts of its explanation (:mod:`.explain` words them).
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass
from types import SimpleNamespace
from typing import NamedTuple

import numpy as np
from flask import current_app
from sqlalchemy import func, select

from app.core.cache import LRUCache
from app.core.extensions import db
from app.core.identity import Identity
from app.core.search import search
from app.demands.service import demands_service
from app.indexing.models import SearchOutbox
from app.matching import embeddings
from app.matching.features import (
    ClassificationConsensus,
    Feature,
    MatchResult,
    classification_fit,
    combine,
    indicator_fit,
    maturity_fit,
    price_fit,
    region_fit,
)
from app.matching.query import QueryPlan, Vocabulary, plan_query
from app.patents.service import patents_service
from app.service_offers.service import service_offers_service
from search.analysis import MAX_TEXT, normalise
from search.query import And, SearchRequest, Term

LEXICAL_CANDIDATES = 100
# Nearest vectors per semantic query. With three queries (title, title with key phrases, a demand's passage), 50
# each rank the dev split exactly as 100 each (nDCG@10 0.192, Recall@100 0.353 against 0.347) and leave a third
# fewer candidates to score: match p95 at 100k patents 55 ms with 100.
SEMANTIC_CANDIDATES = 50
# Pseudo-relevance feedback (:func:`with_feedback`). Dev split, matcher nDCG@10 0.192 without; at weight 2, depth
# 2 / 3 / 4 / 5 / 6 / 8: 0.201 / 0.200 / 0.197 / 0.198 / 0.196 / 0.195; depth 3 at weight 1 / 2 / 3 / 4 / 5: 0.195 /
# 0.200 / 0.198 / 0.199 / 0.199; every depth of 2 to 5 at weight 2 to 5 reads 0.196–0.202, deeper feedback with
# more weight drifts off the topic (depth 8, weight 4: 0.190). Both halves of the split better at depth 3, weight 2
# (0.175 → 0.186, 0.210 → 0.215). Three feedback documents is the usual choice for dense retrievers too.
FEEDBACK_DEPTH = 3
FEEDBACK_WEIGHT = 2.0
CONSENSUS_DEPTH = 20  # top lexical candidates whose IPC codes vote on the technical field
# Field boosts of the word query: a counterpart's title names its subject; its body mentions many things.
WORD_FIELDS = {"title": 1.0, "keywords": 1.0}
BODY_BOOST = 0.1      # dev split: 0 and 0.1 tie once fused; a listing's body still counts a little
PHRASE_WEIGHT = 0.5   # a key phrase of the description counts half a title word
# Cosines stretched onto [0, 1] as (floor, span) per kind of semantic query (explanations read ≥ 0.6 as high
# and ≥ 0.3 as medium). On the dev split, e5 title cosines (both sides embedded as queries): all documents 0.847
# (median), those judged unrelated 0.858, relevant ones 0.880 (median) and 0.910 (90th percentile); a demand's
# passage against listing titles runs lower and narrower: 0.834, 0.844, 0.864 and 0.889.
# The cosine of a listing to the mean vector of the best matches (feedback) is stretched as a query's (feedback
# from the best 5 at weight 2: floors of 0.80 to 0.85 measured alike, 0.88 and 0.90 worse, 0.185 and 0.179).
COSINE_CALIBRATION = {"query": (0.85, 0.08), "passage": (0.835, 0.07), "feedback": (0.85, 0.08)}


@dataclass(frozen=True)
class Direction:
    """Which way a match runs: source listing → counterpart resource."""

    source_service: object
    target_service: object
    # Whether the source's whole text is also compared as an e5 passage (see :mod:`.query`): for demands,
    # whose descriptions say what the title cannot; a patent's abstract would cost 0.3 s of model time each.
    passage: bool = False

    @property
    def target(self) -> str:
        return self.target_service.resource

    @property
    def target_body(self) -> str:
        """The counterpart's long text field (its document frequencies rank key phrases)."""
        return BODY_FIELDS[self.target]


BODY_FIELDS = {"patents": "abstract", "demands": "description", "services": "description"}
DEMAND_TO_PATENTS = Direction(demands_service, patents_service, passage=True)
PATENT_TO_DEMANDS = Direction(patents_service, demands_service)
DEMAND_TO_SERVICES = Direction(demands_service, service_offers_service, passage=True)
# The directions a saved listing of each resource is matched in (its query vectors are stored for each).
DIRECTIONS_FROM = {"demands": (DEMAND_TO_PATENTS, DEMAND_TO_SERVICES), "patents": (PATENT_TO_DEMANDS,)}


def body_text(obj) -> str:
    """A listing's long text: a patent's abstract, a demand's or service offer's description."""
    return getattr(obj, "abstract", None) or getattr(obj, "description", None) or ""


def source_text(obj) -> str:
    """The text a listing is matched by."""
    return " ".join([obj.title, " ".join(obj.keywords or []), body_text(obj)])


def matches_for(identity: Identity, direction: Direction, source_id: int, limit: int = 10,
                service_kind: str | None = None) -> list[MatchResult]:
    """Ranked matches of listing ``source_id`` among the counterparts ``identity`` may see."""
    source = direction.source_service.get(identity, source_id)
    return rank(identity, direction, source, limit=limit, service_kind=service_kind)


# Recent match lists, keyed by everything they depend on (see ``data_version``). Entries keep ids, scores and
# explanations; rows are re-read per request (one query), never shared.
_results = LRUCache()


def data_version(*resources: str) -> tuple:
    """Changes whenever any listing changes (the newest search-outbox row: every change writes one) or a vector of
    one of ``resources`` is stored, in every worker process."""
    return (db.session.scalar(select(func.max(SearchOutbox.id))),
            *(embeddings.vector_index.version(resource) for resource in resources))


def cached_matches(identity: Identity, direction: Direction, source, limit: int = 10,
                   service_kind: str | None = None) -> list[MatchResult]:
    """:func:`rank` for pages shown again and again (listing pages): cached until either side changes."""
    visible = direction.target_service.policy.search_filter("read", identity)
    key = (direction.source_service.resource, direction.target, source.id, limit, service_kind, repr(visible),
           data_version(direction.target))
    stored = _results.get(key)
    if stored is None:
        results = rank(identity, direction, source, limit=limit, service_kind=service_kind)
        _results.put(key, [(r.obj.id, r.score, r.explanation) for r in results])
        return results
    rows = {obj.id: obj for obj in direction.target_service.get_many([i for i, _, _ in stored], with_indicators=True)}
    return [MatchResult(rows[i], score, explanation) for i, score, explanation in stored if i in rows]


def plan_for(direction: Direction, source, engine=None) -> QueryPlan:
    """The query plan of ``source`` against the counterpart index (of ``engine``, default: the app's)."""
    vocabulary = Vocabulary(engine or search.engine, direction.target, ("title", direction.target_body))
    return plan_query(source.title, body_text(source), list(source.keywords or []), vocabulary,
                      passage=direction.passage)


def rank(identity: Identity, direction: Direction, source, limit: int = 10,
         service_kind: str | None = None) -> list[MatchResult]:
    """Score the candidates for ``source`` (saved or transient) and return the best ``limit``."""
    visible = direction.target_service.policy.search_filter("read", identity)
    if service_kind:
        visible = And(visible, Term("kind", [service_kind]))
    plan = plan_for(direction, source)
    weights = current_app.config["MATCH_WEIGHTS"]
    lexical = lexical_scores(search.engine, direction, plan, visible)
    semantic = _semantic_scores(direction, plan, visible, set(lexical)) if weights.get("semantic") else _NO_MEANING
    exclude = {getattr(source, "id", None)} if direction.source_service is direction.target_service else set()
    ids = [i for i in dict.fromkeys([*lexical, *semantic.similarities]) if i not in exclude]
    light = direction.target != "demands" and not getattr(source, "indicators", None)
    candidates = (_scoring_rows(direction.target_service.model, ids) if light
                  else direction.target_service.get_many(ids, with_indicators=True))
    matched = {c.id: matched_terms(plan, c) for c in candidates}
    # BM25 orders the candidates; the best word coverage anchors the scale, so a query whose key terms are
    # barely found anywhere cannot score its best hit 1.
    anchor = max((coverage(plan, terms) for terms in matched.values()), default=0.0)
    relevance = {i: score * anchor for i, score in lexical.items()}  # the lexical feature's value
    similarities = with_feedback(semantic, relevance, weights)
    by_lexical = sorted(candidates, key=lambda c: -lexical.get(c.id, 0.0))[:CONSENSUS_DEPTH]
    consensus = ClassificationConsensus({c.id: (_codes(c), lexical.get(c.id, 0.0)) for c in by_lexical})
    context = _Context(plan=plan, consensus=consensus, weights=weights)

    def scored(candidate, explain: bool) -> MatchResult:
        return _score(source, candidate, relevance.get(candidate.id, 0.0), similarities.get(candidate.id),
                      matched[candidate.id], context, explain)

    # Every candidate is scored; only the results returned are explained (a breakdown per candidate cost a
    # tenth of a request).
    results = [scored(candidate, explain=False) for candidate in candidates]
    results.sort(key=lambda r: (-r.score, r.obj.id))
    results = [scored(r.obj, explain=True) for r in results[:limit]]
    if light:  # the rows shown are full listings
        rows = {obj.id: obj for obj in direction.target_service.get_many([r.obj.id for r in results],
                                                                          with_indicators=True)}
        results = [MatchResult(rows[r.obj.id], r.score, r.explanation) for r in results if r.obj.id in rows]
    return results


# What the features read of a candidate (when no indicator is compared): loading these columns as plain rows
# instead of ~300 full listings with their indicators took a third of a match request at 20k patents.
SCORING_COLUMNS = ("id", "title", "keywords", "abstract", "description", "ipc_codes", "industry", "industries",
                   "maturity", "asking_price", "price_from", "region")


class _ScoringRow(SimpleNamespace):
    """A candidate's :data:`SCORING_COLUMNS`, read by attribute; columns its model lacks are None (as
    ``getattr(obj, name, None)`` reads them of a full listing, without a row raising AttributeError each time:
    that was a tenth of a match request)."""


def _scoring_rows(model, ids: list[int]) -> list[_ScoringRow]:
    """The scoring columns of ``ids`` (in that order)."""
    if not ids:
        return []
    names = [name for name in SCORING_COLUMNS if name in model.__table__.columns]
    absent = dict.fromkeys(name for name in SCORING_COLUMNS if name not in names)
    rows = {row.id: _ScoringRow(**absent, **row._asdict())
            for row in db.session.execute(select(*(getattr(model, name) for name in names)).where(model.id.in_(ids)))}
    return [rows[i] for i in ids if i in rows]


@dataclass(frozen=True)
class _Context:
    plan: QueryPlan
    consensus: ClassificationConsensus
    weights: dict[str, float]


def lexical_scores(engine, direction: Direction, plan: QueryPlan, visible) -> dict[int, float]:
    """BM25 of the plan's words on ``engine``, scaled so the best candidate scores 1."""
    terms = [(t, 1.0) for t in plan.title_terms] + [(p, PHRASE_WEIGHT) for p in plan.phrases]
    if not terms:
        return {}
    hits = engine.search(SearchRequest(resource=direction.target, terms=terms,
                                       fields={**WORD_FIELDS, direction.target_body: BODY_BOOST}, filters=visible,
                                       per_page=LEXICAL_CANDIDATES, source=False)).hits
    top = max((hit.score for hit in hits), default=0.0) or 1.0
    return {hit.id: hit.score / top for hit in hits}


class _Meaning(NamedTuple):
    """The semantic feature's first pass: each candidate's mean calibrated cosine to the plan's semantic queries,
    the candidates' vectors and how many queries the mean is over."""

    similarities: dict[int, float]
    vectors: dict[int, np.ndarray]
    queries: int


_NO_MEANING = _Meaning({}, {}, 0)


def _semantic_scores(direction: Direction, plan: QueryPlan, visible, lexical_ids: set[int]) -> _Meaning:
    """Mean calibrated cosine of each candidate to the plan's semantic queries (title, title with key phrases,
    the whole text as a passage).

    Candidates are the nearest stored vectors (checked against the viewer's filter by the engine) plus the
    lexical candidates; a candidate without a stored vector has no cosine (the feature is then unknown).
    """
    stored = embeddings.vector_index.load(direction.target)
    if not len(stored):  # the feature stays unknown; nothing to embed for
        return _NO_MEANING
    semantic = plan.semantic_queries
    queries = embeddings.embed_queries(semantic)
    nearest = stored.nearest(queries, SEMANTIC_CANDIDATES)
    wanted = sorted(nearest - lexical_ids)
    if wanted:
        allowed = {hit.id for hit in search.engine.search(SearchRequest(
            resource=direction.target, filters=And(visible, Term("id", wanted)), per_page=len(wanted),
            source=False)).hits}
    else:
        allowed = set()
    vectors = stored.vectors(lexical_ids | allowed)
    similarities = {i: sum(_calibrated(float(v @ q), query.kind) for q, query in zip(queries, semantic, strict=True))
                    / len(queries) for i, v in vectors.items()}
    return _Meaning(similarities, vectors, len(queries))


def with_feedback(meaning: _Meaning, lexical: dict[int, float], weights: dict[str, float]) -> dict[int, float]:
    """The semantic feature with pseudo-relevance feedback: the best :data:`FEEDBACK_DEPTH` candidates of a first
    pass (lexical and semantic relevance, weighted as the score weighs them) stand for what the source is about,
    and each candidate's cosine to their mean vector joins its semantic queries with :data:`FEEDBACK_WEIGHT`.

    Rocchio's feedback in vector space: a listing close in meaning to several of the best matches is likelier
    relevant than one close to the source's wording alone. It reorders; the best similarity stays the first
    pass's. Left out when the pool is too small to have a top.
    """
    similarities = meaning.similarities
    if not FEEDBACK_DEPTH or len(similarities) <= FEEDBACK_DEPTH:
        return similarities
    first = {i: weights.get("lexical", 0.0) * lexical.get(i, 0.0) + weights["semantic"] * s
             for i, s in similarities.items()}
    best = heapq.nsmallest(FEEDBACK_DEPTH, first, key=lambda i: (-first[i], i))
    centroid = np.mean([meaning.vectors[i] for i in best], axis=0)
    centroid /= np.linalg.norm(centroid)
    ids = list(similarities)
    cosines = np.stack([meaning.vectors[i] for i in ids]) @ centroid
    total = meaning.queries + FEEDBACK_WEIGHT
    blended = {i: (similarities[i] * meaning.queries + FEEDBACK_WEIGHT * _calibrated(float(cosine), "feedback")) / total
               for i, cosine in zip(ids, cosines, strict=True)}
    # The best matches are always close to their own mean: rescaled so the best similarity stays what the source's
    # own queries found (a vague source must not read "high"; scores keep their meaning for match alerts).
    scale = max(similarities.values()) / (max(blended.values()) or 1.0)
    return {i: value * scale for i, value in blended.items()}


def _calibrated(cosine: float, kind: str) -> float:
    """An e5 cosine to a semantic query of ``kind`` on [0, 1] (see ``COSINE_CALIBRATION``)."""
    floor, span = COSINE_CALIBRATION[kind]
    return max(0.0, min(1.0, (cosine - floor) / span))


def _oriented(source, candidate):
    """(demand, offer) whatever the direction, so features read the same way."""
    return (source, candidate) if hasattr(source, "budget_max") else (candidate, source)


def _score(source, candidate, lexical: float, similarity: float | None, matched: list[dict],
           context: _Context, explain: bool = True) -> MatchResult:
    demand, offer = _oriented(source, candidate)
    codes = _codes(candidate)
    # The offer's whole text is only searched for the demand's indicators: joined for nothing, it cost a fifth
    # of scoring a candidate.
    indicators, checks = indicator_fit(demand.indicators, getattr(offer, "indicators", []),
                                       source_text(offer) if demand.indicators else "")
    features = {
        "lexical": Feature(lexical, {}),
        "semantic": Feature(similarity),
        "classification": classification_fit(_codes(source), codes,
                                             context.consensus.for_candidate(candidate.id, codes),
                                             _industry(demand), _industry(offer)),
        "indicators": indicators,
        "maturity": maturity_fit(_maturity(getattr(offer, "maturity", None)), _maturity(demand.required_maturity)),
        "price": price_fit(_price(offer), _float(demand.budget_min), _float(demand.budget_max)),
        "region": region_fit(demand.region, offer.region),
    }
    if not explain:
        return MatchResult(candidate, combine(features, context.weights, explain=False)[0])
    score, breakdown = combine(features, context.weights)
    explanation = {"key_terms": list(context.plan.key_terms), "matched": matched,
                   "indicators": checks, "features": breakdown}
    return MatchResult(candidate, score, explanation)


def matched_terms(plan: QueryPlan, candidate) -> list[dict]:
    """Which of the plan's key terms occur in which part of ``candidate`` (title, keywords, body)."""
    # One normalisation of the three parts (its cost is mostly per call); the separator is no character of
    # any term, word or conversion phrase, so each part comes out as it would alone.
    texts = (candidate.title, " ".join(candidate.keywords or []), body_text(candidate))
    if any(_PART_BREAK in t for t in texts):
        normalised = [normalise(t) for t in texts]
    else:
        normalised = normalise(_PART_BREAK.join(t[:MAX_TEXT] for t in texts)).split(_PART_BREAK)
    parts = dict(zip(("title", "keywords", "body"), normalised, strict=True))
    found = []
    for term in plan.key_terms:
        where = [part for part, text in parts.items() if term in text]
        if where:
            found.append({"term": term, "in": where})
    return found


_PART_BREAK = "\x00"


def coverage(plan: QueryPlan, matched: list[dict]) -> float:
    """Share of the plan's key-term weight (IDF; key phrases at ``PHRASE_WEIGHT``) found in a candidate.

    A title word that is also a key phrase weighs both, as in the query. A term found only in the candidate's
    body counts half: a title names what the listing is about.
    """
    weight = dict.fromkeys(plan.key_terms, 0.0)
    for terms, share in ((plan.title_terms, 1.0), (plan.phrases, PHRASE_WEIGHT)):
        for term in terms:
            weight[term] += share * plan.idf.get(term, 1.0)
    total = sum(weight.values())
    if not total:
        return 0.0
    found = sum(weight[m["term"]] * (0.5 if m["in"] == ["body"] else 1.0) for m in matched if m["term"] in weight)
    return found / total


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
