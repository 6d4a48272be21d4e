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
- ``format_size(n_bytes)``: ``10 MB``, ``0.5 MB``, ``12 KB`` under 0.1 MB.
- ``format_datetime(moment, with_zone=True)`` and ``format_date(value)``: in ``DISPLAY_TIMEZONE`` (default
  Asia/Shanghai), e.g. ``2026-11-30 21:36（北京时间）`` / ``2026-11-30 21:36 (Beijing time)``.
- ``label(kind, value)`` and ``field_label(name)``: translated labels of enum values and field names
  (``app/labels.py``); an unknown value comes back as itself.
- ``ipc_label(code, english_title)``: an IPC facet label in the reader's language.
"""
from __future__ import annotations

import enum
from datetime import date, datetime, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from flask import Flask, current_app, has_app_context, has_request_context
from flask_babel import get_locale, gettext as _

from . import labels

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


def timezone_label() -> str:
    """The reader's name of the display time zone (北京时间 for Asia/Shanghai)."""
    zone = display_timezone()
    if zone.key == DEFAULT_TIMEZONE:
        return _("Beijing time")
    return zone.key


def to_display_zone(moment: datetime) -> datetime:
    """A stored moment (UTC; naive on SQLite) in the display time zone."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
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
        value = to_display_zone(value).date()
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


FILTERS = {
    "number": format_number,
    "money": format_money,
    "money_range": format_money_range,
    "size": format_size,
    "datetime": format_datetime,
    "date": format_date,
    "label": lambda value, kind: label(kind, value),
    "labels": lambda values, kind: labels_of(kind, values),
    "field_label": field_label,
    "ipc_label": ipc_label,
}


def init_app(app: Flask) -> None:
    """Register the helpers once: as Jinja filters (``{{ price|money }}``) and as globals (``label(kind, v)``)."""
    app.config.setdefault("DISPLAY_TIMEZONE", DEFAULT_TIMEZONE)
    app.jinja_env.filters.update(FILTERS)
    app.jinja_env.globals.update(format_money=format_money, format_number=format_number,
                                 format_datetime=format_datetime, label=label, field_label=field_label,
                                 timezone_label=timezone_label)
