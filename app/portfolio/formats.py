"""Reading and writing portfolio files: JSON Lines and CSV.

CSV cells of list fields hold ``;``-separated values; a cell starting with ``[`` or ``{`` is parsed as JSON
(indicator rows, qualifications). Empty cells are left out so defaults apply.
"""
from __future__ import annotations

import csv
import io
import json
from typing import IO, Iterable, Iterator

LIST_FIELDS = {"ipc", "keywords", "inventors", "coop_modes", "industries"}
FORMATS = ("jsonl", "csv")


class RowError(ValueError):
    """A line that could not be read as a record."""


def detect_format(filename: str, declared: str | None = None) -> str:
    """``jsonl`` or ``csv`` from ``declared`` or the file name's extension."""
    if declared:
        return declared
    return "csv" if filename.lower().endswith(".csv") else "jsonl"


def read_records(stream: IO[str], fmt: str) -> Iterator[tuple[int, dict | RowError]]:
    """``(line number, record or RowError)`` for every non-empty record of ``stream``."""
    if fmt == "csv":
        yield from _read_csv(stream)
    else:
        yield from _read_jsonl(stream)


def _read_jsonl(stream: IO[str]) -> Iterator[tuple[int, dict | RowError]]:
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            yield number, RowError(f"not valid JSON: {error.msg} (column {error.colno})")
            continue
        yield number, record if isinstance(record, dict) else RowError("expected a JSON object")


def _read_csv(stream: IO[str]) -> Iterator[tuple[int, dict | RowError]]:
    reader = csv.DictReader(stream)
    for row in reader:
        number = reader.line_num
        if None in row:
            yield number, RowError("more cells than header columns")
            continue
        try:
            yield number, {key.strip(): _cell(key.strip(), value) for key, value in row.items() if value not in (None, "")}
        except json.JSONDecodeError as error:
            yield number, RowError(f"a JSON cell is not valid JSON: {error.msg}")


def _cell(key: str, value: str):
    value = value.strip()
    if value[:1] in "[{":
        return json.loads(value)
    if key in LIST_FIELDS:
        return [part.strip() for part in value.split(";") if part.strip()]
    return value


def write_records(records: Iterable[dict], fmt: str) -> str:
    """``records`` as JSON Lines or CSV text (list cells ``;``-joined, nested values as JSON)."""
    records = list(records)
    if fmt == "jsonl":
        return "".join(json.dumps(r, ensure_ascii=False, default=str) + "\n" for r in records)
    columns = list(dict.fromkeys(key for record in records for key in record))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    for record in records:
        writer.writerow({key: _export_cell(key, record.get(key)) for key in columns})
    return out.getvalue()


def _export_cell(key: str, value):
    if value is None:
        return ""
    if isinstance(value, list) and key in LIST_FIELDS and all(isinstance(v, str) for v in value):
        return ";".join(value)
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return value
