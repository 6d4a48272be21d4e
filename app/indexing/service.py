"""The transactional outbox for search: record changes with the write, apply them after commit.

``IndexOp`` writes an outbox row in the listing's transaction. ``drain`` applies pending rows to the
engine by re-reading each object from the database, so a row applied late, twice or out of order still
leaves the index equal to the database. If the engine is down, rows stay pending and drain later.
"""
from __future__ import annotations

import logging
from collections import defaultdict

from flask import current_app
from sqlalchemy import func, select

from ..extensions import db
from ..models_base import utcnow
from ..search_engine import search
from ..uow import Operation, UnitOfWork
from .models import SearchOutbox

log = logging.getLogger(__name__)


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
    """Apply pending outbox rows to the engine; returns how many rows were applied.

    Rows are claimed with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL so concurrent workers never apply the
    same row; a failing engine leaves the rows pending with the error recorded.
    """
    applied = 0
    services = _listing_services()
    while True:
        with UnitOfWork() as uow:
            rows = uow.session.scalars(
                select(SearchOutbox)
                .where(SearchOutbox.processed_at.is_(None))
                .order_by(SearchOutbox.id)
                .limit(batch_size)
                .with_for_update(skip_locked=True)
            ).all()
            if not rows:
                return applied
            by_resource: dict[str, set[int]] = defaultdict(set)
            for row in rows:
                by_resource[row.resource].add(row.object_id)
            try:
                for resource, ids in by_resource.items():
                    services[resource].sync_index(ids)
            except Exception as error:  # engine down or rejecting: keep the rows for the next drain
                log.warning("search outbox drain failed: %s", error)
                for row in rows:
                    row.attempts += 1
                    row.last_error = str(error)[:2000]
                return applied
            now = utcnow()
            for row in rows:
                row.processed_at = now
            applied += len(rows)


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
