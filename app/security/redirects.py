"""Local-redirect checking for every ``next`` parameter (login, payments, …): never an open redirect.

Browsers forgive a lot in a ``Location`` header: they drop tabs and newlines (``/\\t/evil.example`` becomes
``//evil.example``), read ``\\`` as ``/`` and ``//host`` as another site. So a target is refused, not
cleaned, when it holds anything a browser might reinterpret; only then is its shape checked.
"""
from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit


def _has_unsafe_character(target: str) -> bool:
    """Control characters (tab, CR, LF, NUL, DEL, …), any whitespace, separators and backslashes."""
    return any(
        char == "\\" or char.isspace() or unicodedata.category(char)[0] in "CZ"
        for char in target
    )


def local_url(target: str | None) -> str | None:
    """``target`` when it is a path on this site, else ``None`` (the caller falls back to its default page)."""
    if not target or len(target) > 2000 or _has_unsafe_character(target):
        return None
    target = unicodedata.normalize("NFKC", target)  # full-width ／ and friends become what a browser sees
    if not target.startswith("/") or target.startswith("//") or _has_unsafe_character(target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
