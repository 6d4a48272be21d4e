"""Stored matches, saved searches and cached embedding vectors."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.extensions import db
from app.core.models import JsonType, utcnow
from app.core.outbox import OutboxRow


class Match(db.Model):
    """A scored pairing of a listing with a counterpart (demand→patent, patent→demand, demand→service)."""

    __tablename__ = "matches"
    __table_args__ = (UniqueConstraint("source_resource", "source_id", "target_resource", "target_id",
                                       name="uq_matches_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_resource: Mapped[str] = mapped_column(String(32), nullable=False)
    source_id: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    target_resource: Mapped[str] = mapped_column(String(32), nullable=False)
    target_id: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    score: Mapped[float] = mapped_column(Float, nullable=False)
    explanation: Mapped[dict] = mapped_column(JsonType, nullable=False)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    notified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SavedSearch(db.Model):
    """A query a user saved; they are alerted when a newly published listing matches it."""

    __tablename__ = "saved_searches"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    resource: Mapped[str] = mapped_column(String(32), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    query: Mapped[str] = mapped_column(Text, nullable=False, default="")
    filters: Mapped[dict] = mapped_column(JsonType, nullable=False, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)


class Embedding(db.Model):
    """A listing's embedding vector, recomputed when the embedded text changes (``text_hash``)."""

    __tablename__ = "embeddings"
    __table_args__ = (UniqueConstraint("resource", "object_id", name="uq_embeddings_object"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resource: Mapped[str] = mapped_column(String(32), nullable=False)
    object_id: Mapped[int] = mapped_column(Integer, nullable=False)
    model: Mapped[str] = mapped_column(String(64), nullable=False)
    text_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    vector: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)


class VectorVersion(db.Model):
    """A counter per resource, raised in the transaction that stores any of its vectors.

    Matching keeps a resource's vectors in memory; one primary-key read tells every process whether another
    one wrote since (a row count over 100k vectors cost milliseconds per request, and ids or timestamps taken
    before commit can become visible out of order on PostgreSQL; a counter raised under its row lock cannot).
    """

    __tablename__ = "vector_versions"

    resource: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class QueryVector(db.Model):
    """A saved listing's query vector (its title, its title with key phrases), computed when the listing is
    indexed instead of on each match request; looked up by the hash of the query text, so a stale one is
    simply never found. ``resource``/``object_id`` name the listing it was computed for (rows of texts it no
    longer has are deleted when it is re-indexed)."""

    __tablename__ = "query_vectors"
    __table_args__ = (UniqueConstraint("resource", "object_id", "text_hash", name="uq_query_vectors_object_text"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resource: Mapped[str] = mapped_column(String(32), nullable=False)
    object_id: Mapped[int] = mapped_column(Integer, nullable=False)
    text_hash: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    vector: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)


class AlertOutbox(OutboxRow, db.Model):
    """A listing that was just published, waiting to be checked against saved searches and strong matches.

    Written in the publishing transaction (like the search outbox), applied after the index has the listing.
    """

    __tablename__ = "alert_outbox"
