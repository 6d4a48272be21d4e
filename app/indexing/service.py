"""The transactional outbox for search: record changes with the write, apply them after commit.

``IndexOp`` writes an outbox row in the listing's transaction. ``drain`` applies pending rows to the
engine by re-reading each object from the database, so a row applied late, twice or out of order still
leaves the index equal to the database. If the engine is down, rows stay pending and drain later.
"""
from __future__ import annotations

from collections import defaultdict

from blinker import Namespace
from flask import current_app
from sqlalchemy import func, select

from ..extensions import db
from ..outbox import drain_outbox
from ..search_engine import search
from ..uow import Operation
from .models import SearchOutbox


# Sent after listings were written to the index (resource, ids=…, uow=…): work that follows a listing's
# text, such as its embedding vector, hangs on it instead of on every write path.
index_synced = Namespace().signal("index-synced")


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
            drain()


def _listing_services():
    from ..listings.registry import listing_services

    return listing_services()


def drain(batch_size: int = 500) -> int:
    """Apply pending search outbox rows to the engine; returns how many rows were applied."""
    services = _listing_services()

    def apply(rows, uow) -> None:
        by_resource: dict[str, set[int]] = defaultdict(set)
        for row in rows:
            by_resource[row.resource].add(row.object_id)
        for resource, ids in by_resource.items():
            services[resource].sync_index(ids)
            index_synced.send(resource, ids=sorted(ids), uow=uow)

    return drain_outbox(SearchOutbox, apply, batch_size)


def status() -> dict:
    """Document counts per index, the outbox backlog and the oldest pending change."""
    backlog, oldest = db.session.execute(
        select(func.count(SearchOutbox.id), func.min(SearchOutbox.created_at)).where(
            SearchOutbox.processed_at.is_(None)
        )
    ).one()
    engine = search.engine
    return {
        "engine": type(engine).__name__,
        "documents": {name: engine.count(name) for name in _listing_services()},
        "outbox_backlog": backlog,
        "oldest_pending": oldest.isoformat() if oldest else None,
    }


def reindex(resource: str, progress=None) -> int:
    """Rebuild ``resource``'s index from the database; returns the number of documents."""
    service = _listing_services()[resource]
    return search.engine.reindex(resource, service.iter_search_documents(), progress=progress)
