"""The transactional outbox for search: record changes with the write, apply them after commit.

``IndexOp`` writes an outbox row in the listing's transaction. ``drain`` applies pending rows to the
engine by re-reading each object from the database, so a row applied late, twice or out of order still
leaves the index equal to the database. If the engine is down, rows stay pending and drain later.

One process drains at a time: the embedded engine's writer lease (an ``flock``). A process that finds the
lease taken leaves its rows to the holder, which looks at the outbox again after releasing the lease, so
a row committed while it drained is never stranded. ``status`` compares index and database counts per
resource, ``verify`` rebuilds what disagrees, and ``reindex`` rebuilds from nothing.
"""
from __future__ import annotations

import gc
from collections import defaultdict
from contextlib import contextmanager

from flask import current_app
from sqlalchemy import func, select, update

from app.core.extensions import db
from app.core.models import utcnow
from app.core.outbox import drain_after_commit, drain_outbox
from app.core.search import search
from app.core.uow import Operation, UnitOfWork
from app.indexing.models import SearchOutbox
from app.indexing.signals import index_synced
from app.indexing.sources import sources
from search.engine import EngineUnavailable


class IndexOp(Operation):
    """Record that ``obj`` of ``resource`` changed; drain the outbox after commit when configured."""

    def __init__(self, resource: str, obj):
        self.resource = resource
        self.obj = obj

    def on_register(self, uow) -> None:
        uow.session.flush()  # the object needs its id
        uow.session.add(SearchOutbox(resource=self.resource, object_id=self.obj.id))

    def on_commit(self, uow) -> None:
        if current_app.config["SEARCH_DRAIN_AFTER_COMMIT"]:
            drain_after_commit(current_app._get_current_object(), drain)


def drain(batch_size: int = 500) -> int:
    """Apply pending search outbox rows to the engine; returns how many rows were applied."""
    services = sources()
    engine = search.engine
    failed = []
    synced: dict[str, set[int]] = defaultdict(set)

    def apply(rows, uow) -> None:
        by_resource: dict[str, set[int]] = defaultdict(set)
        for row in rows:
            by_resource[row.resource].add(row.object_id)
        try:
            for resource, ids in by_resource.items():
                services[resource].sync_index(ids)
                synced[resource] |= ids
        except Exception:
            failed.append(True)  # the rows stay pending (drain_outbox records the error)
            raise

    applied = 0
    while True:
        with engine.writer_lease() as leader:
            if not leader:
                return applied  # the holder drains our rows: it looks again after releasing
            applied += drain_outbox(SearchOutbox, apply, batch_size)
        for resource, ids in synced.items():  # the lease and every transaction are let go of by now
            index_synced.send(resource, ids=sorted(ids))
        synced.clear()
        if failed or not _pending_count():
            return applied


def _pending_count() -> int:
    with UnitOfWork() as uow:  # its own transaction, ended at once: the next look sees rows committed meanwhile
        return uow.session.scalar(select(func.count(SearchOutbox.id)).where(SearchOutbox.processed_at.is_(None)))


def rows_only_a_reindex_restores(resource: str) -> int:
    """Listings of ``resource`` without a pending outbox row: an empty new index would never receive them."""
    model = sources()[resource].model
    pending = select(SearchOutbox.object_id).where(*_pending_of(resource))
    return db.session.scalar(select(func.count(model.id)).where(model.id.not_in(pending)))


def status() -> dict:
    """Per resource: documents in the index and rows in the database, with what is wrong; the outbox backlog.

    ``degraded`` is true when an index is missing, damaged or unreachable, or when its count differs from
    the database while no pending outbox row explains the difference.
    """
    backlog, oldest = db.session.execute(
        select(func.count(SearchOutbox.id), func.min(SearchOutbox.created_at)).where(
            SearchOutbox.processed_at.is_(None)
        )
    ).one()
    engine = search.engine
    problems = engine.problems()
    resources = {}
    for name, service in sources().items():
        rows = service.count_all()
        documents = None
        if name not in problems:
            try:
                documents = engine.count(name)
            except EngineUnavailable as error:
                problems[name] = str(error)
        problem = problems.get(name)
        if problem is None and documents != rows and not backlog:
            problem = f"{documents} documents in the index, {rows} in the database"
        resources[name] = {"documents": documents, "database": rows,
                           "difference": None if documents is None else rows - documents, "problem": problem}
    return {
        "engine": type(engine).__name__,
        "degraded": any(state["problem"] for state in resources.values()),
        "resources": resources,
        "documents": {name: state["documents"] for name, state in resources.items()},
        "outbox_backlog": backlog,
        "oldest_pending": oldest.isoformat() if oldest else None,
    }


def reindex(resource: str, progress=None) -> int:
    """Rebuild ``resource``'s index from the database whatever state it is in; returns the number of documents.

    It holds the writer lease throughout, so changes committed meanwhile wait in the outbox, and drains them
    into the new index before letting go. Outbox rows of ``resource`` already committed when the pass began are
    in the new index: they are settled, not applied again (after a bulk import, applying them wrote every
    document a second time, and the replaced copies stayed in the engine's term statistics until its segments
    merged, so rankings depended on the index's history).
    """
    service = sources()[resource]
    engine = search.engine
    with engine.writer_lease(blocking=True):
        reflected = _pending_rows(resource)
        with _cyclic_gc_paused():
            count = engine.reindex(resource, service.iter_search_documents(), progress=progress)
        _settle([row_id for row_id, _ in reflected])
        drain()
    if reflected:  # as a drain would have: e.g. their vectors are computed next
        index_synced.send(resource, ids=sorted({object_id for _, object_id in reflected}))
    return count


def _pending_rows(resource: str) -> list[tuple[int, int]]:
    """(outbox id, object id) of the pending rows of ``resource``, read in a transaction ended at once (so the
    pass that follows sees every change they stand for)."""
    with UnitOfWork() as uow:
        return list(uow.session.execute(select(SearchOutbox.id, SearchOutbox.object_id)
                                        .where(*_pending_of(resource))))


def _pending_of(resource: str) -> tuple:
    """The conditions of ``resource``'s pending outbox rows."""
    return SearchOutbox.resource == resource, SearchOutbox.processed_at.is_(None)


def _settle(row_ids: list[int], chunk: int = 5000) -> None:
    """Mark outbox rows ``row_ids`` applied (only these: a row committed later may not be in the pass)."""
    for start in range(0, len(row_ids), chunk):
        with UnitOfWork() as uow:
            uow.session.execute(update(SearchOutbox).where(SearchOutbox.id.in_(row_ids[start:start + chunk]),
                                                           SearchOutbox.processed_at.is_(None))
                                .values(processed_at=utcnow()))


@contextmanager
def _cyclic_gc_paused():
    """Python's cycle collector off for a bulk pass, then one collection.

    A reindex allocates millions of short-lived objects (rows, dumps, tokens); each allocation burst triggers
    collections that walk the whole heap, about a fifth of a reindex's time (more in a big process), while the
    pass leaves almost no cyclic garbage (≈2,000 objects over 100,000 listings): reference counting frees it.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
            gc.collect()


def verify() -> dict[str, str]:
    """Rebuild every index that is missing, damaged or disagrees with the database (run it periodically).

    Returns resource → the problem that was repaired (empty: nothing to do). A pending outbox is applied
    first, so a difference it explains is not mistaken for drift.
    """
    drain()
    repaired = {}
    for name, state in status()["resources"].items():
        if state["problem"]:
            reindex(name)
            repaired[name] = state["problem"]
    return repaired
