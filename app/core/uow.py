"""Unit of work: the only place that commits.

Services register operations on a :class:`UnitOfWork`. Each operation may act inside the transaction
(``on_register``: e.g. write an outbox row) and after the commit succeeded (``on_commit``: e.g. drain the
search outbox, send mail). A service method decorated with :func:`unit_of_work` opens its own unit when the
caller did not pass one, so several service calls can share one transaction.
"""
from __future__ import annotations

import logging
from functools import wraps

from sqlalchemy.orm import scoped_session

from app.core.extensions import db

log = logging.getLogger(__name__)


class Operation:
    """Base class for work that belongs to a unit of work.

    ``reraises``: exception types the after-commit part passes on to whoever committed (once every other
    operation ran), for a side effect the caller must hear failed although the change itself is saved (a payment
    provider refusing to open a payment). Any other failure of an after-commit part is only logged.
    """

    reraises: tuple[type[Exception], ...] = ()
    # True for an after-commit part that calls an outside service (mail, a payment provider): it runs with no
    # database transaction open, not even a read an earlier after-commit part began.
    outside = False

    def on_register(self, uow: UnitOfWork) -> None:
        """Run inside the transaction, when the operation is registered."""

    def on_commit(self, uow: UnitOfWork) -> None:
        """Run after the transaction committed; failures are logged, never undo the commit."""


class UnitOfWork:
    """Collects operations and commits the session once."""

    def __init__(self, session=None):
        self.session = session or db.session
        self._operations: list[Operation] = []
        self._committed = False

    def __enter__(self) -> UnitOfWork:
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is not None:
            self.rollback()
        elif not self._committed:
            self.commit()
        return False

    def register(self, operation: Operation) -> None:
        """Add ``operation``: it runs its in-transaction part now and its after-commit part later."""
        operation.on_register(self)
        self._operations.append(operation)

    def commit(self) -> None:
        """Flush, commit once, then run the after-commit parts of the operations."""
        self.session.commit()
        self._committed = True
        passed_on: list[Exception] = []
        for operation in self._operations:
            if operation.outside and _in_transaction(self.session):
                self.session.commit()  # ends what earlier after-commit parts read; nothing is held across the call
            try:
                operation.on_commit(self)
            except operation.reraises as error:
                passed_on.append(error)
            except Exception:  # an after-commit side effect must not turn a saved change into an error
                log.exception("after-commit operation %r failed; its outbox keeps it for the next drain", operation)
                # A failed drain (e.g. "database is locked") leaves the shared session needing a rollback; without
                # it the caller's next read of the saved object would fail and answer 500 for a saved change.
                self.session.rollback()
        if passed_on:
            raise passed_on[0]

    def rollback(self) -> None:
        """Discard the transaction and every registered operation."""
        self.session.rollback()
        self._operations.clear()


def _in_transaction(session) -> bool:
    """Whether ``session`` (a session, or the scoped ``db.session``) has a transaction open."""
    return (session() if isinstance(session, scoped_session) else session).in_transaction()


def unit_of_work(func):
    """Give ``func`` a ``uow`` keyword: the caller's unit, or a new one committed when ``func`` returns."""

    @wraps(func)
    def wrapper(*args, uow: UnitOfWork | None = None, **kwargs):
        if uow is not None:
            return func(*args, uow=uow, **kwargs)
        with UnitOfWork() as own:
            return func(*args, uow=own, **kwargs)

    return wrapper
