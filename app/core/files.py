"""Uploaded files: PDF checks shared by every kind of attachment and document.

An upload must be a real PDF: its declared content type, its magic bytes and a parse with pypdf must all
agree, and it must not exceed ``MAX_ATTACHMENT_BYTES``.
"""
from __future__ import annotations

import io
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from app.core.errors import ValidationFailed
from app.core.formatting import format_size

PDF_TYPE = "application/pdf"
PDF_MAGIC = b"%PDF-"



def _file_error(message) -> ValidationFailed:
    return ValidationFailed({"file": [message]})


def read_checked_pdf(file) -> bytes:
    """The upload's bytes once they prove to be a PDF within the size limit; else 422 naming ``file``."""
    limit = current_app.config["MAX_ATTACHMENT_BYTES"]
    if (file.mimetype or "").lower() != PDF_TYPE:
        raise _file_error(_l("Only PDF files can be attached."))
    data = file.stream.read(limit + 1)
    if len(data) > limit:
        raise _file_error(_l("The file is larger than %(limit)s.", limit=format_size(limit)))
    if not data.startswith(PDF_MAGIC):
        raise _file_error(_l("The file is not a PDF."))
    try:
        if len(PdfReader(io.BytesIO(data), strict=False).pages) < 1:
            raise _file_error(_l("The PDF has no pages."))
    except (PyPdfError, ValueError, KeyError, TypeError, OSError):
        raise _file_error(_l("The PDF cannot be read.")) from None
    return data


def display_name(filename: str | None) -> str:
    """A harmless display name: no directories, no control characters, bounded length, ``.pdf`` suffix."""
    name = Path((filename or "").replace("\\", "/")).name
    name = "".join(ch for ch in name if ch.isprintable()).strip() or "attachment.pdf"
    if not name.lower().endswith(".pdf"):
        name += ".pdf"
    return name[-255:]
