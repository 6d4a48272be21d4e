"""Draining a transactional outbox: rows written with a change, applied after it committed.

Both the search outbox and the match-alert outbox drain the same way: claim a batch of pending rows (``FOR
UPDATE SKIP LOCKED`` on PostgreSQL, so concurrent workers never take the same row), apply them, mark them
processed; if applying fails, keep them pending with the error recorded, for the next drain.

Who drains: the outbox worker (``flask search worker``, production), or the web process that committed, right
after its commit (embedded default). In a server that web process hands the drain to a thread of its own
(``drain_after_commit``): the request answers as soon as its data is saved, however large the backlog or slow
the work a drain triggers (vectors), and a failed drain is retried by that thread, never raised to the client.
"""
from __future__ import annotations

import atexit
import logging
import os
import threading
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from app.core.models import utcnow
from app.core.sqlite import reading
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


def drain_outbox(model, apply: Callable[[list, UnitOfWork], None], batch_size: int = 500,
                 prepare: Callable[[list[tuple[str, int]]], None] | None = None) -> int:
    """Apply pending rows of outbox ``model`` with ``apply(rows, uow)``; returns how many rows were applied.

    ``prepare((resource, object_id), …)``, when given, first does the slow reading for a batch in a read-only
    transaction, so that ``apply`` only writes: on SQLite a writing transaction holds the one write lock.
    """
    applied = 0
    while True:
        claimed = select(model).where(model.processed_at.is_(None)).order_by(model.id).limit(batch_size)
        failure = None
        if prepare is not None:
            with reading(), UnitOfWork() as uow:
                pending = uow.session.execute(claimed.with_only_columns(model.id, model.resource, model.object_id)).all()
                if not pending:
                    return applied
                try:
                    prepare([(resource, object_id) for _, resource, object_id in pending])
                except Exception as error:  # noqa: BLE001 - recorded on the rows below, like a failed apply
                    failure = error
            claimed = select(model).where(model.id.in_([row_id for row_id, _, _ in pending]),
                                          model.processed_at.is_(None)).order_by(model.id)
        with UnitOfWork() as uow:
            rows = uow.session.scalars(claimed.with_for_update(skip_locked=True)).all()
            if not rows:  # none pending, or another drainer holds them now (and applies them)
                return applied
            try:
                if failure is not None:
                    raise failure
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


# A background drainer also looks on its own this often: rows left by a failed drain are retried without a new write.
POLL_SECONDS = 5.0


class _BackgroundDrain:
    """One daemon thread per process and drain, woken after each commit that queued rows."""

    def __init__(self, app, drain: Callable[[], int], nice: int):
        self.app, self.drain, self.nice = app, drain, nice
        self.wanted = threading.Event()
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()
        self.stopping = False

    def wake(self) -> None:
        with self.lock:  # started lazily, in the process that needs it (a forked server worker starts its own)
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name=f"drain-{self.drain.__module__}", daemon=True)
                self.thread.start()
        self.wanted.set()

    def stop(self) -> None:
        """Let the thread run one last drain (what was queued before the stop) and end; wait for it."""
        self.stopping = True
        self.wanted.set()
        if self.thread is not None and self.thread.is_alive():
            self.thread.join(timeout=60)

    def _run(self) -> None:
        if self.nice:  # Linux schedules each thread on its own: this one yields the CPU to requests
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), self.nice)
        while True:
            self.wanted.wait(POLL_SECONDS)
            self.wanted.clear()
            with self.app.app_context():
                try:
                    self.drain()
                except Exception:  # noqa: BLE001 - the rows stay pending; the next wake or poll retries them
                    log.exception("background drain %s failed", self.drain.__module__)
            if self.stopping:
                return


def drain_after_commit(app, drain: Callable[[], int], nice: int = 0) -> None:
    """Run ``drain`` now: inline, or in this process's drain thread when ``OUTBOX_DRAIN_IN_BACKGROUND`` is set
    (at scheduling priority ``nice``, 0–19: work that may wait, such as computing vectors, takes a high one)."""
    if not app.config["OUTBOX_DRAIN_IN_BACKGROUND"]:
        drain()
        return
    drains = app.extensions.setdefault("background_drains", {})
    if not drains:  # a command or a server stopping drains what its commits queued before it exits
        atexit.register(stop_background_drains, app)
    key = (os.getpid(), drain)
    if key not in drains:
        drains[key] = _BackgroundDrain(app, drain, nice)
    drains[key].wake()


def stop_background_drains(app) -> None:
    """Stop this process's drain threads of ``app`` after their current drain (an app being disposed of)."""
    for drainer in app.extensions.pop("background_drains", {}).values():
        drainer.stop()
