"""The facts of a listing for its public page: every public field of the resource, labelled and formatted.

Each listing kind's ``facts`` say which fields a reader sees and in what order; each value goes through the formatting
layer (labels for enum values, 元/万元 for money, dates in the display time zone) so no raw value reaches a page.
"""
from __future__ import annotations

from flask_babel import gettext as _

from app.core.formatting import EMPTY, format_date, format_listing_price, format_number, label, labels_of
from app.core.labels import field_label
from app.listings.registry import kind

LIST_SEPARATOR = "、"


def _joined(values) -> str:
    return LIST_SEPARATOR.join(str(value) for value in values or [])


def _yes(value) -> str:
    return _("Yes") if value else ""


def _days(value) -> str:
    return _("%(days)s days", days=format_number(value)) if value is not None else ""


def _qualification(row: dict) -> str:
    """"CMA 2019123456" (the number alone when it already names its kind), "其他 ISO 17025 …" (its label) for "other"."""
    kind_of, number = row.get("type") or "", (row.get("number") or "").strip()
    if kind_of != "other" and number.upper().startswith(kind_of.upper()):
        return number
    return f"{label('qualification_type', kind_of)} {number}".strip()


def _qualifications(rows) -> str:
    return _joined(_qualification(row) for row in rows or [])


# field → how its value is shown; ``None`` means "label of the value" (an enum), a callable formats it.
FORMATS = {
    "patent_type": None, "legal_status": None, "maturity": None, "required_maturity": None, "kind": None,
    "coop_modes": lambda values, field: labels_of(field, values) if values else "",
    "application_date": format_date, "grant_date": format_date, "valid_until": format_date,
    "published_at": format_date,
    "inventors": _joined, "ipc": _joined, "keywords": _joined, "industries": _joined,
    "trl": format_number, "lead_time_days": _days, "qualifications": _qualifications,
    "needs_pilot": _yes, "needs_inspection": _yes,
}
MONEY_FIELDS = {"price", "budget", "price_from"}


def _shown(field: str, listing: dict) -> str:
    if field in MONEY_FIELDS:
        return format_listing_price(listing) or ""
    value = listing.get(field)
    if value in (None, "", []):
        return ""
    if field in FORMATS:
        formatter = FORMATS[field]
        if formatter is None:
            return str(label(field, value))
        return formatter(value, field) if field == "coop_modes" else formatter(value)
    return str(value)


def listing_facts(resource: str, listing: dict) -> list[tuple[str, str]]:
    """``(label, text)`` for every public field of ``listing`` that has a value, in reading order."""
    facts = []
    # A research achievement (科技成果) is no patent: it has no examination or legal status to show.
    skipped = {"legal_status"} if listing.get("patent_type") == "achievement" else set()
    for field in kind(resource).facts:
        if field in skipped:
            continue
        text = _shown(field, listing)
        if text and text != EMPTY:
            facts.append((str(field_label(field)), text))
    return facts
