"""Patent attachments: PDF files stored outside the web root under random names.

An upload must be a real PDF: its declared content type, its magic bytes and a parse with pypdf must all
agree, and it must not exceed ``MAX_ATTACHMENT_BYTES``. The patent's policy decides who may add, list,
download and delete; confidential attachments follow ``read_confidential`` (owner, admins, NDA parties).
"""
from __future__ import annotations

import hashlib
import secrets
from pathlib import Path

from flask import current_app, url_for
from marshmallow import Schema, fields

from app.core.errors import NotFound
from app.core.extensions import db
from app.core.files import display_name, read_checked_pdf
from app.core.identity import Identity
from app.core.uow import Operation, unit_of_work
from app.patents.models import PatentAttachment
from app.patents.service import patents_service


class AttachmentSchema(Schema):
    """An attachment's metadata as the API shows it (never the storage name)."""

    id = fields.Integer(dump_only=True)
    patent_id = fields.Integer(dump_only=True)
    filename = fields.String(dump_only=True)
    size = fields.Integer(dump_only=True)
    sha256 = fields.String(dump_only=True)
    confidential = fields.Boolean(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    download_url = fields.Function(lambda a: url_for("patents_api.AttachmentDownload", attachment_id=a.id),
                                   dump_only=True, metadata={"type": "string", "description": "Where to download the PDF"})


def upload_dir() -> Path:
    """Where attachment files live: ``UPLOAD_DIR/patents``, outside the static folder."""
    return Path(current_app.config["UPLOAD_DIR"]) / "patents"


class RemoveFileOp(Operation):
    """Delete a stored file after the commit (a rolled-back deletion keeps the file)."""

    def __init__(self, path: Path):
        self.path = path

    def on_commit(self, uow) -> None:
        self.path.unlink(missing_ok=True)


@unit_of_work
def add(identity: Identity, patent_id: int, file, confidential: bool = False, *, uow) -> PatentAttachment:
    """Attach an uploaded PDF to a patent its organisation may edit."""
    patent = patents_service.get(identity, patent_id, "update")
    data = read_checked_pdf(file)
    stored_name = f"{secrets.token_hex(16)}.pdf"
    path = upload_dir() / stored_name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    attachment = PatentAttachment(
        patent_id=patent.id,
        filename=display_name(file.filename),
        stored_name=stored_name,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        confidential=confidential,
    )
    try:
        uow.session.add(attachment)
        uow.session.flush()
    except Exception:
        path.unlink(missing_ok=True)  # no row, no file
        raise
    return attachment


def list_for(identity: Identity, patent_id: int) -> list[PatentAttachment]:
    """The attachments of a patent ``identity`` may read; confidential ones only for ``read_confidential``."""
    patent = patents_service.get(identity, patent_id)
    insider = patents_service.policy.allows("read_confidential", identity, patent)
    return sorted((a for a in patent.attachments if insider or not a.confidential), key=lambda a: a.id)


def get(identity: Identity, attachment_id: int, action: str = "read") -> PatentAttachment:
    """The attachment, if ``identity`` may ``action`` its patent; invisible ones are 404 (they do not exist)."""
    attachment = db.session.get(PatentAttachment, attachment_id)
    if attachment is None:
        raise NotFound(f"attachment {attachment_id} not found")
    patent = patents_service.get(identity, attachment.patent_id)
    if attachment.confidential and not patents_service.policy.allows("read_confidential", identity, patent):
        raise NotFound(f"attachment {attachment_id} not found")
    if action != "read":
        patents_service.get(identity, attachment.patent_id, action)
    return attachment


def file_path(attachment: PatentAttachment) -> Path:
    """Where the attachment's bytes are stored."""
    return upload_dir() / attachment.stored_name


@unit_of_work
def remove(identity: Identity, attachment_id: int, *, uow) -> None:
    """Delete an attachment of a patent ``identity`` may edit; the file goes once the commit succeeded."""
    attachment = get(identity, attachment_id, "update")
    uow.session.delete(attachment)
    uow.register(RemoveFileOp(file_path(attachment)))
