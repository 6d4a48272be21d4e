"""One formatting layer for everything a person reads: money, numbers, sizes, dates and times, labels.

Pages, e-mails and explanations call these helpers (or the Jinja filters of the same names, registered once by
``init_app``) instead of printing raw values, so "500000.0", "10485760 字节" or a microsecond ISO time never
reach a reader. Every helper takes the active locale (Chinese unless the request says English) and accepts
``None`` (shown as "—").

API (all return ``str``):

- ``format_number(value, digits=2)``: ``500000.0`` → ``500,000``; ``98.50`` → ``98.5``.
- ``format_money(value, minor_units=False, currency="CNY")``: Chinese ``5,000 元`` / ``50 万元`` / ``1.2 亿元``,
  English ``CNY 500,000``; ``minor_units`` for amounts kept in fen (payments).
- ``format_money_range(low, high)``: ``10 万元 – 50 万元``, ``from …``, ``up to …``.
- ``format_listing_price(doc)``: a listing's price, budget range or starting price (``None`` when unstated).
- ``format_indicator(row)``: an indicator row ``{comparator, value, value_max, unit}`` as ``≥ 98 %``.
- ``format_size(n_bytes)``: ``10 MB``, ``0.5 MB``, ``12 KB`` under 0.1 MB.
- ``format_datetime(moment, with_zone=True)`` and ``format_date(value)``: in ``DISPLAY_TIMEZONE`` (default
  Asia/Shanghai), e.g. ``2026-11-30 21:36（北京时间）`` / ``2026-11-30 21:36 (Beijing time)``.
- ``local_today()`` and ``local_date(moment)``: today's / a moment's date in ``DISPLAY_TIMEZONE`` (what every
  validity, due date and date check goes by).
- ``format_value(field, value)``: any stored value of a field (audit log, diffs), e.g. ``price`` 500000.0 → 50 万元.
- ``label(kind, value)`` and ``field_label(name)``: translated labels of enum values and field names
  (``app/labels.py``); an unknown value comes back as itself.
- ``ipc_label(code, english_title)``: an IPC facet label in the reader's language.
"""
from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from flask import Flask, current_app, has_app_context, has_request_context
from flask_babel import get_locale
from flask_babel import gettext as _

from app.core import labels

EMPTY = "—"
WAN = Decimal(10_000)
YI = Decimal(100_000_000)
DEFAULT_TIMEZONE = "Asia/Shanghai"


def is_english() -> bool:
    """Whether the active locale is English (outside a request: the Chinese default)."""
    return has_request_context() and str(get_locale() or "").startswith("en")


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def format_number(value, digits: int = 2) -> str:
    """``value`` with thousands separators, at most ``digits`` decimals and no trailing zeros (no ".0")."""
    number = _decimal(value)
    if number is None:
        return EMPTY if value in (None, "") else str(value)
    number = number.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP) if digits >= 0 else number
    text = f"{number:,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def format_money(value, minor_units: bool = False, currency: str = "CNY") -> str:
    """An amount of money: 元 / 万元 / 亿元 in Chinese (exact to the 元), the currency code in English."""
    amount = _decimal(value)
    if amount is None:
        return EMPTY
    if minor_units:
        amount = amount / 100
    code = (currency or "CNY").upper()
    if is_english():
        return f"{code} {format_number(amount)}"
    if code != "CNY":
        return f"{format_number(amount)} {code}"
    # 万元 and 亿元 only where they stay exact: 123,456 元 is clearer than a rounded 12.35 万元.
    for unit, name in ((YI, "亿元"), (WAN, "万元")):
        if abs(amount) >= unit and (amount / unit) == (amount / unit).quantize(Decimal("0.0001")):
            return f"{format_number(amount / unit, 4)} {name}"
    return f"{format_number(amount)} 元"


def format_money_range(low, high) -> str:
    """A price or budget range; one open end reads "from …" / "up to …"."""
    if low is not None and high is not None:
        return format_money(low) if low == high else f"{format_money(low)} – {format_money(high)}"
    if low is not None:
        return _("from %(amount)s", amount=format_money(low))
    if high is not None:
        return _("up to %(amount)s", amount=format_money(high))
    return EMPTY


def format_listing_price(doc: dict) -> str | None:
    """What a listing asks or offers, from its public JSON: a patent's price (or 面议), a demand's budget, a
    service's starting price; ``None`` when it states none."""
    if doc.get("budget_min") is not None or doc.get("budget_max") is not None:
        return format_money_range(doc.get("budget_min"), doc.get("budget_max"))
    if doc.get("price_from") is not None:
        return format_money_range(doc["price_from"], None)
    if doc.get("price") is not None:
        shown = format_money(doc["price"])
        return f"{shown} · {_('negotiable')}" if doc.get("price_negotiable") else shown
    if doc.get("price_negotiable"):
        return _("Price negotiable")
    return None


def format_indicator(row: dict) -> str:
    """A technical indicator's value as read: ``≥ 98 %``, ``3–5 mm``, ``= 1,200 mAh``."""
    comparator, value, value_max = row.get("comparator") or "eq", row.get("value"), row.get("value_max")
    unit = f" {row['unit']}" if row.get("unit") else ""
    if value is None:
        return EMPTY
    if comparator == "range" or value_max is not None:
        return f"{format_number(value, 4)}–{format_number(value_max, 4)}{unit}"
    symbol = {"gte": "≥ ", "lte": "≤ "}.get(comparator, "")
    return f"{symbol}{format_number(value, 4)}{unit}"


def format_size(n_bytes) -> str:
    """A file size in MB (KB under 0.1 MB, where MB would read 0)."""
    if n_bytes is None:
        return EMPTY
    megabytes = Decimal(n_bytes) / (1024 * 1024)
    if megabytes < Decimal("0.1"):
        return f"{format_number(Decimal(n_bytes) / 1024, 0 if n_bytes >= 1024 else 1)} KB"
    return f"{format_number(megabytes, 1)} MB"


def display_timezone() -> ZoneInfo:
    """The one time zone every page shows (setting ``DISPLAY_TIMEZONE``)."""
    name = current_app.config.get("DISPLAY_TIMEZONE") if has_app_context() else None
    return ZoneInfo(name or DEFAULT_TIMEZONE)


def local_today() -> date:
    """Today in the display time zone: the date validity, expiry, due dates, date checks and dashboards go by, so
    a demand valid until 12月1日 lapses at midnight Beijing time, not eight hours later at midnight UTC."""
    return datetime.now(display_timezone()).date()


def local_date(moment: datetime) -> date:
    """The display time zone's calendar date of a stored moment (UTC; naive on SQLite)."""
    return to_display_zone(moment).date()


def timezone_label() -> str:
    """The reader's name of the display time zone (北京时间 for Asia/Shanghai)."""
    zone = display_timezone()
    if zone.key == DEFAULT_TIMEZONE:
        return _("Beijing time")
    return zone.key


def to_display_zone(moment: datetime) -> datetime:
    """A stored moment (UTC; naive on SQLite) in the display time zone."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(display_timezone())


def format_datetime(moment, with_zone: bool = True, seconds: bool = False) -> str:
    """``2026-11-30 21:36（北京时间）``: minutes (seconds on request), the zone named once."""
    if moment is None:
        return EMPTY
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if not isinstance(moment, datetime):  # a plain date has no time zone
        return format_date(moment)
    text = to_display_zone(moment).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
    if not with_zone:
        return text
    return f"{text} ({timezone_label()})" if is_english() else f"{text}（{timezone_label()}）"


def format_date(value) -> str:
    """A calendar date as ``2026-11-30`` (a moment is first moved to the display time zone)."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        value = local_date(value)
    return value.isoformat()


def label(kind: str, value):
    """The translated label of ``value`` of ``kind`` (a field or enum name in ``app/labels.py``)."""
    if isinstance(value, enum.Enum):
        value = value.value
    if value is None or value == "":
        return EMPTY
    return labels.value_label(value, kind)


def field_label(name: str):
    """The translated label of a field name."""
    return labels.field_label(name)


def labels_of(kind: str, values) -> str:
    """Several values of one kind, labelled and joined with the locale's separator."""
    separator = ", " if is_english() else "、"
    return separator.join(str(label(kind, value)) for value in values or []) or EMPTY


def ipc_label(code: str, english_title: str | None = None) -> str:
    """An IPC code for a reader: Chinese readers get the section's Chinese name and the English title marked as
    English (no Chinese IPC title text is available to us); English readers get the title."""
    code = (code or "").strip()
    if is_english():
        return f"{code} {english_title or ''}".strip()
    section = labels.IPC_SECTIONS.get(code[:1].upper())
    if len(code) == 1:
        return f"{code} {section}" if section else code
    parts = [code]
    if section:
        parts.append(f"（{section}）")
    if english_title:
        parts.append(" " + _("English title: %(title)s", title=english_title))
    return "".join(parts)


MONEY_FIELDS = {"price", "budget_min", "budget_max", "price_from", "amount", "upfront_fee", "total_amount"}


def format_value(field: str, value) -> str:
    """Any stored value of ``field`` as a reader sees it (audit log, change diffs): labels for enum values,
    money, dates and times, numbers without ".0", lists joined, indicator rows, 是/否 — never a Python literal."""
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, bool):
        return str(labels.value_label(value, "boolean"))
    if field in labels.VALUE_LABELS:
        return labels_of(field, value) if isinstance(value, list) else str(label(field, value))
    if field in MONEY_FIELDS:
        return format_money(value)
    if isinstance(value, (datetime, date)) or field.endswith(("_at", "_date")) or field == "valid_until":
        return format_datetime(value) if field.endswith("_at") else format_date(value)
    if isinstance(value, (int, float)):
        return format_number(value, 4)
    if isinstance(value, list):
        return "；".join(format_value(field, item) for item in value)
    if isinstance(value, dict):
        if "name" in value and "value" in value:  # a technical indicator row
            return f"{value['name']} {format_indicator(value)}"
        return "，".join(f"{field_label(key)} {format_value(key, item)}" for key, item in value.items())
    return str(value)


FILTERS = {
    "number": format_number,
    "money": format_money,
    "money_range": format_money_range,
    "size": format_size,
    "listing_price": format_listing_price,
    "indicator": format_indicator,
    "datetime": format_datetime,
    "date": format_date,
    "label": lambda value, kind: label(kind, value),
    "labels": lambda values, kind: labels_of(kind, values),
    "field_label": field_label,
    "ipc_label": ipc_label,
    "audit_value": format_value,
}


def init_app(app: Flask) -> None:
    """Register the helpers once: as Jinja filters (``{{ price|money }}``) and as globals (``label(kind, v)``)."""
    app.config.setdefault("DISPLAY_TIMEZONE", DEFAULT_TIMEZONE)
    app.jinja_env.filters.update(FILTERS)
    app.jinja_env.globals.update(format_money=format_money, format_number=format_number,
                                 format_datetime=format_datetime, label=label, field_label=field_label,
                                 timezone_label=timezone_label, audit_action_label=labels.audit_action_label,
                                 audit_actions=labels.AUDIT_ACTIONS)
