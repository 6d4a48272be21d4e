"""Search outbox rows, written in the same transaction as the listing change they describe."""
from __future__ import annotations

from app.core.extensions import db
from app.core.outbox import OutboxRow


class SearchOutbox(OutboxRow, db.Model):
    """A pending change to apply to the search engine: re-read object ``object_id`` of ``resource``.

    Rows carry no document: the worker reads the current database row when it applies the change, so
    applying a row twice, or out of order, still leaves the index equal to the database.
    """

    __tablename__ = "search_outbox"
