"""XLSX exports: sheets of typed cells that a finance office can add up, in the reader's language.

Money is written as numbers (yuan, two decimals) with a number format — ``#,##0.00"元"`` in Chinese,
``"CNY "#,##0.00`` in English — so a spreadsheet shows separators and the unit and still sums the column. Moments
are written in the one display time zone (``DISPLAY_TIMEZONE``, 北京时间) as local date-times, since a cell holds
no time zone; the sheet names the zone in its notes. Counts are integers, percents numbers with ``0.00"%"``.

    xlsx_bytes([Sheet(_("Statements"), [Column(_("Date"), "date"), Column(_("Amount"), "money")], rows)])
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from flask import has_app_context
from flask_babel import get_locale
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from app.core.formatting import timezone_label, to_display_zone

MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORBIDDEN_IN_TITLES = str.maketrans({c: "_" for c in "[]:*?/\\"})


def _english() -> bool:
    """Whether the active locale is English (a command's ``force_locale`` counts, unlike outside a request)."""
    return has_app_context() and str(get_locale() or "").startswith("en")


def money_format() -> str:
    """The number format of yuan amounts in the reader's language."""
    return '"CNY "#,##0.00' if _english() else '#,##0.00"元"'


@dataclass(frozen=True)
class Column:
    """A column: its header and how its cells are written.

    ``kind``: ``text``; ``count`` (integer with separators); ``money`` (yuan, a Decimal or a number);
    ``percent`` (a number already in percent); ``date``; ``datetime`` (a stored moment, shown in the display
    zone); ``auto`` (by the value's type: Decimal → money, int → count, date/datetime as above).
    """

    header: str
    kind: str = "text"
    width: int = 16


@dataclass
class Sheet:
    """One worksheet: ``notes`` (lines above the table: title, period, time zone), the header row, the rows."""

    title: str
    columns: list[Column]
    rows: list[list]
    notes: list[str] = field(default_factory=list)


def _cell_value(kind: str, value):
    """The value to store and its number format (None: the default)."""
    if value is None:
        return None, None
    if kind == "auto":
        if isinstance(value, Decimal):
            kind = "money"
        elif isinstance(value, bool):
            kind = "text"
        elif isinstance(value, int):
            kind = "count"
        elif isinstance(value, datetime):
            kind = "datetime"
        elif isinstance(value, date):
            kind = "date"
        else:
            kind = "text"
    if kind == "money":
        return Decimal(value).quantize(Decimal("0.01")), money_format()
    if kind == "count":
        return int(value), "#,##0"
    if kind == "percent":
        return Decimal(value), '0.00"%"'
    if kind == "datetime":
        return to_display_zone(value).replace(tzinfo=None), "yyyy-mm-dd hh:mm"
    if kind == "date":
        return value, "yyyy-mm-dd"
    return str(value), None


def sheet_title(text: str) -> str:
    """A legal worksheet name (at most 31 characters, none of ``[]:*?/\\``)."""
    return str(text).translate(_FORBIDDEN_IN_TITLES)[:31] or "Sheet"


def xlsx_bytes(sheets: list[Sheet]) -> bytes:
    """The workbook of ``sheets`` (in order) as XLSX bytes."""
    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="EEEEEE")
    for spec in sheets:
        ws = book.create_sheet(sheet_title(spec.title))
        for note in spec.notes:
            ws.append([str(note)])
        if spec.notes:
            ws.cell(row=1, column=1).font = Font(bold=True, size=13)
            ws.append([])
        ws.append([str(column.header) for column in spec.columns])
        header_row = ws.max_row
        for cell in ws[header_row]:
            cell.font, cell.fill = bold, header_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in spec.rows:
            values = [_cell_value(column.kind, value) for column, value in zip(spec.columns, row, strict=True)]
            ws.append([value for value, _fmt in values])
            for cell, (_value, number_format) in zip(ws[ws.max_row], values, strict=True):
                if number_format:
                    cell.number_format = number_format
        for index, column in enumerate(spec.columns, start=1):
            ws.column_dimensions[get_column_letter(index)].width = column.width
        ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def zone_note() -> str:
    """The note naming the sheets' time zone (``时间均为北京时间``)."""
    return _("All times in %(zone)s", zone=timezone_label())
