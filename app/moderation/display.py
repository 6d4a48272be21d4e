"""How the moderation pages show fields and values: the listing forms' field labels, enum labels, money, rows as
words (comparators as ≥ / ≤ / =), times in the display time zone — all through the shared formatting layer
(``app/formatting.py``, ``app/labels.py``). The comparisons themselves are the moderation service's
(``normalised``, ``field_changes``).
"""
from __future__ import annotations

from datetime import datetime

from app.core import formatting, labels
from app.listings.registry import kind, kinds
from app.listings.service import MONEY_ATTRIBUTES

MONEY_FIELDS = MONEY_ATTRIBUTES | {"price"}  # the patent's asking_price is "price" in its schema
def form_labels(resource: str) -> dict:
    """Field → label as the owner saw it in ``resource``'s form (empty for ``organisation``)."""
    if resource not in kinds():
        return {}
    return {f.name: f.label for section in kind(resource).form for f in section.fields}


def field_label(resource: str, field: str) -> str:
    """The label of ``field`` of ``resource`` (``patents``, …, ``organisation``): its form's, else the shared one."""
    return str(form_labels(resource).get(field) or labels.field_label(field))


def audit_actions() -> list[tuple[str, str]]:
    """Every action the audit log records, with its label (the log's action filter)."""
    codes = [f"{resource}.{decision}" for resource in kinds() for decision in ("approve", "revise", "reject")]
    return [(code, labels.audit_action_label(code)) for code in (*codes, "organisation.verify", "organisation.reject")]


def _row(field: str, row: dict) -> str:
    if field == "indicators":
        unit = f" {row['unit']}" if row.get("unit") else ""
        value = formatting.format_number(row.get("value"))
        if row.get("comparator") == "range":
            return f"{row.get('name', '')} {value}–{formatting.format_number(row.get('value_max'))}{unit}"
        sign = labels.value_label(row.get("comparator", "eq"), "comparator")
        return f"{row.get('name', '')} {sign} {value}{unit}"
    return " ".join(shown(field, item) for item in row.values())


def shown(field: str, value) -> str:
    """``value`` of ``field`` as a person reads it: labels for enum values, money, 是/否, rows, "—" for nothing."""
    if value is None:
        return formatting.EMPTY
    if isinstance(value, bool):
        return str(formatting.label("boolean", value))
    if isinstance(value, list):
        separator = ", " if formatting.is_english() else "、"
        return separator.join(_row(field, item) if isinstance(item, dict) else shown(field, item) for item in value)
    if isinstance(value, dict):
        return _row(field, value)
    if field in MONEY_FIELDS and isinstance(value, (int, float)):
        return formatting.format_money(value)
    if isinstance(value, (int, float)):
        return formatting.format_number(value)
    if field.endswith("_at"):
        try:
            return formatting.format_datetime(datetime.fromisoformat(value))
        except ValueError:
            return value
    return str(formatting.label(field, value))
