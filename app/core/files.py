"""Uploaded files: PDF checks shared by every kind of attachment and document.

An upload must be a real PDF: its declared content type, its magic bytes and a parse with pypdf must all
agree, and it must not exceed ``MAX_ATTACHMENT_BYTES``.
"""
from __future__ import annotations

import io
from pathlib import Path

from flask import current_app
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from app.core.errors import ValidationFailed

PDF_TYPE = "application/pdf"
PDF_MAGIC = b"%PDF-"



def _file_error(message: str) -> ValidationFailed:
    return ValidationFailed({"file": [message]})


def read_checked_pdf(file) -> bytes:
    """The upload's bytes once they prove to be a PDF within the size limit; else 422 naming ``file``."""
    limit = current_app.config["MAX_ATTACHMENT_BYTES"]
    if (file.mimetype or "").lower() != PDF_TYPE:
        raise _file_error(f"only PDF files are accepted (content type {PDF_TYPE})")
    data = file.stream.read(limit + 1)
    if len(data) > limit:
        raise _file_error(f"the file is larger than {limit} bytes")
    if not data.startswith(PDF_MAGIC):
        raise _file_error("the file is not a PDF")
    try:
        if len(PdfReader(io.BytesIO(data), strict=False).pages) < 1:
            raise _file_error("the PDF has no pages")
    except (PyPdfError, ValueError, KeyError, TypeError, OSError):
        raise _file_error("the PDF cannot be read") from None
    return data


def display_name(filename: str | None) -> str:
    """A harmless display name: no directories, no control characters, bounded length, ``.pdf`` suffix."""
    name = Path((filename or "").replace("\\", "/")).name
    name = "".join(ch for ch in name if ch.isprintable()).strip() or "attachment.pdf"
    if not name.lower().endswith(".pdf"):
        name += ".pdf"
    return name[-255:]
