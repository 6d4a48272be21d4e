"""How the moderation pages show fields and values: labels instead of field and action names, enum labels,
money in 元/万元, rows as words, times in China time.

A small local helper of the moderation pages until the shared formatting layer (``app/formatting.py``) lands;
the comparisons themselves are the moderation service's (``normalised``, ``field_changes``).
"""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask_babel import get_locale, gettext as _, lazy_gettext as _l

from ..labels import VALUE_LABELS
from ..listings.service import MONEY_ATTRIBUTES
from ..manage.labels import DECISION_LABELS, RESOURCE_SINGULAR, STATUS_LABELS, VERIFICATION_LABELS
from ..manage.listing_forms import LISTING_FORMS

TIME_ZONE = ZoneInfo("Asia/Shanghai")
COMPARATOR_SIGNS = {"eq": "=", "gte": "≥", "lte": "≤"}
MONEY_FIELDS = MONEY_ATTRIBUTES | {"price"}  # the patent's asking_price is "price" in its schema
# Fields no form shows (set by decisions, or an organisation's), with their labels and value labels.
OTHER_FIELDS = {
    "status": _l("Status"), "moderation_note": _l("Moderator's note"), "published_at": _l("Published on"),
    "name": _l("Organisation name"), "credit_code": _l("Credit code"), "verification_status": _l("Verification"),
    "verification_note": _l("Admin's note"), "verified_at": _l("Verified on"), "description": _l("Description"),
}
OTHER_VALUES = {"status": STATUS_LABELS, "verification_status": VERIFICATION_LABELS}
ACTION_SUBJECTS = {**RESOURCE_SINGULAR, "organisation": _l("organisation verification")}
ACTION_VERBS = {**DECISION_LABELS, "verify": _l("Verify")}


def _form_labels() -> dict[str, dict]:
    return {resource: {f.name: f.label for section in sections for f in section.fields}
            for resource, sections in LISTING_FORMS.items()}


FORM_LABELS = _form_labels()


def field_label(resource: str, field: str) -> str:
    """The label of ``field`` of ``resource`` (``patents``, …, ``organisation``) as its form names it."""
    return str(FORM_LABELS.get(resource, {}).get(field) or OTHER_FIELDS.get(field) or field)


def action_label(action: str) -> str:
    """``patents.revise`` → "专利 · 需整改"; ``organisation.verify`` → "机构认证 · 通过" (in the UI language)."""
    subject, _sep, verb = action.partition(".")
    if subject not in ACTION_SUBJECTS or verb not in ACTION_VERBS:
        return action
    return f"{ACTION_SUBJECTS[subject]} · {ACTION_VERBS[verb]}"


def audit_actions() -> list[tuple[str, str]]:
    """Every action the audit log records, with its label (the log's action filter)."""
    codes = [f"{resource}.{verb}" for resource in RESOURCE_SINGULAR for verb in DECISION_LABELS]
    return [(code, action_label(code)) for code in (*codes, "organisation.verify", "organisation.reject")]


def local_time(moment: datetime | None) -> str:
    """``moment`` in China time to the minute, labelled ("2026-11-30 21:40 (北京时间)")."""
    if moment is None:
        return "—"
    if moment.tzinfo is None:  # SQLite hands back naive UTC
        moment = moment.replace(tzinfo=timezone.utc)
    return _("%(time)s (Beijing time)", time=moment.astimezone(TIME_ZONE).strftime("%Y-%m-%d %H:%M"))


def money(amount) -> str:
    """Yuan as people write them: 万元 from ten thousand in Chinese; CNY with separators in English."""
    number = float(amount)
    if str(get_locale()).startswith("zh"):
        if number >= 10_000:
            return f"{number / 10_000:,.4f}".rstrip("0").rstrip(".") + " 万元"
        return f"{number:,.2f}".rstrip("0").rstrip(".") + " 元"
    return "CNY " + f"{number:,.2f}".rstrip("0").rstrip(".")


def _number(value) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:,.6g}" if isinstance(value, float) else str(value)


def _row(field: str, row: dict) -> str:
    if field == "indicators":
        unit = f" {row['unit']}" if row.get("unit") else ""
        if row.get("comparator") == "range":
            return f"{row.get('name', '')} {_number(row.get('value'))}–{_number(row.get('value_max'))}{unit}"
        sign = COMPARATOR_SIGNS.get(row.get("comparator", "eq"), "=")
        return f"{row.get('name', '')} {sign} {_number(row.get('value'))}{unit}"
    return " ".join(str(shown(field, item)) for item in row.values())


def shown(field: str, value) -> str:
    """``value`` of ``field`` as a person reads it: labels for enum values, money, 是/否, rows, "—" for nothing."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        separator = "、" if str(get_locale()).startswith("zh") else ", "
        return separator.join(_row(field, item) if isinstance(item, dict) else shown(field, item) for item in value)
    if isinstance(value, dict):
        return _row(field, value)
    if field in MONEY_FIELDS and isinstance(value, (int, float)):
        return money(value)
    labels = OTHER_VALUES.get(field) or VALUE_LABELS.get(field) or {}
    if value in labels:
        return str(labels[value])
    if field.endswith("_at") and isinstance(value, str):
        try:
            return local_time(datetime.fromisoformat(value))
        except ValueError:
            return value
    return _number(value)
