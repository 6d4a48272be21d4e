"""Helpers of the concurrency tests: threads that really race on PostgreSQL's row locks.

Such tests commit for real (threads cannot share the rolled-back test transaction), so ``committed_rows``
empties the worker's database before and after each of them (every worker has its own database), and
``run_at_once`` releases all threads together, each with its own app context, session and connection.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Callable

import pytest
from sqlalchemy import delete, text

from app.core.errors import Conflict
from app.core.extensions import db

postgres_only = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="row-lock concurrency needs PostgreSQL (CI runs it there); SQLite has no SELECT … FOR UPDATE",
)


def empty_database(app) -> None:
    """Delete every row of every table (what a test committed, also what an interrupted earlier run left)."""
    with app.app_context():
        tables = db.metadata.sorted_tables
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("TRUNCATE " + ", ".join(f'"{table.name}"' for table in tables) + " CASCADE"))
        else:
            for table in reversed(tables):
                db.session.execute(delete(table))
        db.session.commit()
        db.session.remove()


@pytest.fixture
def committed_rows(app):
    """For a test whose threads commit: the database is empty when it starts and emptied when it ends."""
    empty_database(app)
    yield
    empty_database(app)


def run_at_once(app, jobs: list[Callable[[], object]], *, refusals: tuple[type[Exception], ...] = (Conflict,),
                before_release: Callable[[], None] | None = None) -> list[str]:
    """Run each job in a thread of its own, all released together (after ``before_release``, if given).

    Returns one outcome per job: ``"ok"``, the class name of an expected refusal, or ``"error: …"`` for anything
    else, so an assertion on the outcomes shows what went wrong.
    """
    barrier = threading.Barrier(len(jobs) + 1)
    outcomes = [""] * len(jobs)

    def worker(index: int, job: Callable[[], object]) -> None:
        with app.app_context():
            barrier.wait()
            try:
                job()
                outcomes[index] = "ok"
            except refusals as refusal:
                outcomes[index] = type(refusal).__name__
            except Exception as error:  # noqa: BLE001 - reported in the caller's assertion
                outcomes[index] = f"error: {error!r}"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(index, job)) for index, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    if before_release:
        before_release()
    barrier.wait()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes
