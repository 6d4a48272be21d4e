"""Model mixins and file storage shared by the workflow packages (deals, service orders).

Every workflow subject keeps an append-only event table (``EventMixin``: who, when, from, to, action,
payload) and may store PDF documents (``PdfDocumentMixin``: an upload checked to be a real PDF, written outside
the web root under a random name).
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from pathlib import Path

from flask import current_app
from marshmallow import ValidationError, fields
from sqlalchemy import DateTime, ForeignKey, Integer, String, event
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from app.core.audit import AppendOnlyError
from app.core.errors import ValidationFailed
from app.core.files import display_name, read_checked_pdf
from app.core.models import JsonType, utcnow


class EventMixin:
    """One transition of a workflow subject; rows are never changed, so the history can be replayed."""

    id: Mapped[int] = mapped_column(primary_key=True)
    action: Mapped[str] = mapped_column(String(48), nullable=False)
    from_status: Mapped[str | None] = mapped_column(String(32))
    to_status: Mapped[str] = mapped_column(String(32), nullable=False)
    actor_role: Mapped[str] = mapped_column(String(16), nullable=False)

    @declared_attr
    def actor_user_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("users.id"))

    @declared_attr
    def actor_org_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("organisations.id"))

    payload: Mapped[dict] = mapped_column(JsonType, default=dict, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)

    @classmethod
    def __declare_last__(cls):
        # Registered per concrete table: the history is append-only, like the moderation audit log.
        event.listen(cls, "before_update", _refuse_changes)
        event.listen(cls, "before_delete", _refuse_changes)


def _refuse_changes(mapper, connection, target):  # noqa: ARG001 - SQLAlchemy event signature
    raise AppendOnlyError(f"{type(target).__name__} rows are append-only")


class PdfDocumentMixin:
    """A PDF stored under ``UPLOAD_DIR/<folder>`` with its display name, size and SHA-256."""

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    stored_name: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)

    @declared_attr
    def uploaded_by_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("users.id"))

    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)


def storage_dir(folder: str) -> Path:
    """Where a workflow package keeps its PDFs: ``UPLOAD_DIR/<folder>``, outside the static folder."""
    return Path(current_app.config["UPLOAD_DIR"]) / folder


def checked_pdf(file) -> tuple[bytes, str]:
    """The bytes and a harmless display name of an uploaded PDF; 422 naming ``file`` when it is not one."""
    return read_checked_pdf(file), display_name(file.filename)


def store_pdf(model, folder: str, data: bytes, filename: str, *, uow, **columns):
    """Write ``data`` under a random name and add a ``model`` row describing it to the unit of work."""
    stored_name = f"{secrets.token_hex(16)}.pdf"
    path = storage_dir(folder) / stored_name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    row = model(filename=filename, stored_name=stored_name, size=len(data),
                sha256=hashlib.sha256(data).hexdigest(), **columns)
    uow.session.add(row)
    return row


def document_path(folder: str, document) -> Path:
    """The stored bytes of ``document``."""
    return storage_dir(folder) / document.stored_name


class PdfUpload(fields.Field):
    """An uploaded file (werkzeug ``FileStorage``) that must be a real PDF; loads to ``(bytes, display_name)``."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not hasattr(value, "stream"):
            raise ValidationError("upload a PDF file (multipart/form-data)")
        try:
            return checked_pdf(value)
        except ValidationFailed as error:
            raise ValidationError(error.errors["file"]) from None
