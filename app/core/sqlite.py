"""SQLite configured for concurrent use by several threads and processes (the embedded default).

- WAL journal: readers never block the writer and the writer never blocks readers.
- A busy timeout: a writer waits for the lock instead of failing at once with "database is locked".
- ``BEGIN IMMEDIATE`` for transactions that may write: pysqlite's own deferred ``BEGIN`` takes the write lock
  only at the first write, and a transaction that read first and then writes fails at once (busy timeout or
  not) when another writer committed in between. Taking the lock at ``BEGIN`` makes writers queue instead.
  Read-only requests (GET, HEAD, OPTIONS) and code inside ``reading()`` keep a deferred ``BEGIN`` so they never
  wait for writers, nor make writers wait while they work (a drain ranking listings before it writes).
  This is SQLAlchemy's documented pysqlite recipe (driver transaction handling off, ``BEGIN`` emitted by us),
  which also makes SAVEPOINT work.
- Timezone-aware datetimes: SQLite stores ``DateTime(timezone=True)`` columns as naive text; every value we
  write is UTC, so values read back get ``tzinfo=UTC`` and API timestamps carry their offset as on PostgreSQL.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC

from flask import current_app, has_request_context, request
from sqlalchemy import DateTime, event
from sqlalchemy.dialects.sqlite import DATETIME

BUSY_TIMEOUT_MS = 30_000
READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_reading: ContextVar[bool] = ContextVar("reading", default=False)


class AwareDateTime(DATETIME):
    """SQLite DATETIME that reads timezone-aware columns back as UTC-aware datetimes."""

    def result_processor(self, dialect, coltype):
        parse = super().result_processor(dialect, coltype)
        if not self.timezone:
            return parse

        def process(value):
            moment = parse(value) if parse else value
            if moment is not None and moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            return moment

        return process


def read_only(view):
    """Mark a view that never writes although its method may (e.g. a search sent as POST): deferred ``BEGIN``."""
    view.read_only = True
    return view


@contextmanager
def reading() -> Iterator[None]:
    """Transactions begun inside the block only read: a deferred ``BEGIN`` (end them inside the block)."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def begin_statement() -> str:
    """``BEGIN`` for a read-only request or block, ``BEGIN IMMEDIATE`` everywhere else (writes, CLI, workers)."""
    if _reading.get() or (has_request_context() and (request.method in READ_ONLY_METHODS or _view_is_read_only())):
        return "BEGIN"
    return "BEGIN IMMEDIATE"


def _view_is_read_only() -> bool:
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    return bool(getattr(view, "read_only", False))


def configure(engine) -> None:
    """Apply the settings above to a SQLite ``engine`` (a no-op for other databases)."""
    if engine.dialect.name != "sqlite":
        return
    engine.dialect.colspecs = {**engine.dialect.colspecs, DateTime: AwareDateTime}

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, connection_record):
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (below)
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")  # durable at each checkpoint; safe with WAL
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql(begin_statement())
