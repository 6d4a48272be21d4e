"""Reading and writing portfolio files: JSON Lines and CSV, one record per line.

CSV cells of list fields hold ``;``-separated values (or a JSON array); cells of nested fields (indicator
rows, qualifications) hold JSON. Empty cells are left out so defaults apply. The format is documented in
``docs/import-format.md``.
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from pathlib import PurePath
from typing import IO

LIST_FIELDS = {"ipc", "keywords", "inventors", "coop_modes", "industries"}
NESTED_FIELDS = {"indicators", "qualifications"}  # always JSON in a CSV cell
FORMATS = ("jsonl", "csv")
EXTENSIONS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv"}
MIMETYPES = {"jsonl": "application/x-ndjson", "csv": "text/csv"}
# Excel on Chinese Windows saves CSV as GBK; GB18030 is its superset, tried when UTF-8 fails.
ENCODINGS = ("utf-8-sig", "gb18030")


class RowError(ValueError):
    """A line that could not be read as a record."""


class FormatError(ValueError):
    """A whole file that cannot be read: unknown format or undecodable text."""


def detect_format(filename: str, declared: str | None = None) -> str:
    """``jsonl`` or ``csv`` from ``declared`` or the file name's extension; ``FormatError`` if neither tells."""
    if declared:
        if declared not in FORMATS:
            raise FormatError(f"unknown format {declared!r}; use one of {', '.join(FORMATS)}")
        return declared
    fmt = EXTENSIONS.get(PurePath(filename or "").suffix.lower())
    if fmt is None:
        raise FormatError(f"cannot tell the format of {filename!r} from its extension; name the format (jsonl or csv)")
    return fmt


def decode(raw: bytes) -> str:
    """The text of an uploaded or read file: UTF-8 (with or without BOM), else GB18030."""
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FormatError("the file is not UTF-8 (or GBK) text")


def count_records(text: str, fmt: str) -> int:
    """Roughly how many records ``text`` holds (non-blank lines, less the CSV header): the progress total."""
    lines = sum(1 for line in text.splitlines() if line.strip())
    return max(lines - 1, 0) if fmt == "csv" else lines


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
        number = reader.line_num  # the physical line where the record ends (quoted cells may span lines)
        if None in row:
            yield number, RowError("more cells than header columns")
            continue
        try:
            yield number, {key.strip(): _cell(key.strip(), value) for key, value in row.items() if value not in (None, "")}
        except json.JSONDecodeError as error:
            yield number, RowError(f"a JSON cell is not valid JSON: {error.msg}")


def _cell(key: str, value: str):
    value = value.strip()
    if key in NESTED_FIELDS or (key in LIST_FIELDS and value.startswith("[")):
        return json.loads(value)
    if key in LIST_FIELDS:
        return [part.strip() for part in value.split(";") if part.strip()]
    return value


def encode(text: str, fmt: str) -> bytes:
    """File bytes of an export: CSV starts with a UTF-8 BOM so Excel shows Chinese text correctly."""
    return text.encode("utf-8-sig" if fmt == "csv" else "utf-8")


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
    if isinstance(value, list) and key in LIST_FIELDS and all(isinstance(v, str) and ";" not in v for v in value):
        return ";".join(value)
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return value
