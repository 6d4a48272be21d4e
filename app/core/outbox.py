"""Draining a transactional outbox: rows written with a change, applied after it committed.

Both the search outbox and the match-alert outbox drain the same way: claim a batch of pending rows (``FOR
UPDATE SKIP LOCKED`` on PostgreSQL, so concurrent workers never take the same row), apply them, mark them
processed; if applying fails, keep them pending with the error recorded, for the next drain.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from app.core.models import utcnow
from app.core.uow import UnitOfWork

log = logging.getLogger(__name__)


class OutboxRow:
    """The columns every outbox table has: which object of which resource changed, when, and its drain state."""

    id: Mapped[int] = mapped_column(primary_key=True)
    resource: Mapped[str] = mapped_column(String(32), nullable=False)
    object_id: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    processed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    last_error: Mapped[str | None] = mapped_column(Text)


def drain_outbox(model, apply: Callable[[list, UnitOfWork], None], batch_size: int = 500) -> int:
    """Apply pending rows of outbox ``model`` with ``apply(rows, uow)``; returns how many rows were applied."""
    applied = 0
    while True:
        with UnitOfWork() as uow:
            rows = uow.session.scalars(
                select(model)
                .where(model.processed_at.is_(None))
                .order_by(model.id)
                .limit(batch_size)
                .with_for_update(skip_locked=True)
            ).all()
            if not rows:
                return applied
            try:
                with uow.session.begin_nested():  # a failed batch rolls back its own writes, not the bookkeeping
                    apply(rows, uow)
            except Exception as error:  # engine down or rejecting: keep the rows for the next drain
                log.warning("%s drain failed: %s", model.__tablename__, error)
                for row in rows:
                    row.attempts += 1
                    row.last_error = str(error)[:2000]
                return applied
            now = utcnow()
            for row in rows:
                row.processed_at = now
            applied += len(rows)


def register_background_drain(app, drain: Callable[[], int]) -> None:
    """Add ``drain`` (returns rows applied) to what the outbox worker runs, in registration order."""
    app.extensions.setdefault("outbox_drains", []).append(drain)


def drain_everything(app) -> int:
    """Run every registered drain once (the outbox worker's loop body); returns rows applied."""
    return sum(drain() for drain in app.extensions.get("outbox_drains", []))
