"""Request input of workflow actions, shared by the API and the pages: a JSON body, or an HTML form (with files).

HTML forms cannot nest, so list-of-object fields are sent as ``name-<index>-<key>`` (``milestones-0-title``);
rows whose inputs are all empty are dropped. Empty inputs become absent fields, so the schema's defaults apply.
"""
from __future__ import annotations

import re

from flask import request
from flask_babel import lazy_gettext as _l

from app.core.errors import ValidationFailed
from app.core.http import MalformedBody, json_body

_NESTED = re.compile(r"^(?P<name>[a-z_]+)-(?P<index>\d{1,2})-(?P<key>[a-z_]+)$")


def form_data(form, files) -> dict:
    """A schema's input from an HTML form and its uploaded files."""
    if any(not key for key in (*form, *files)):
        # A part without a name (or with an empty one) belongs to no field: the body is malformed.
        raise MalformedBody("every multipart part needs a name", errors={"_multipart": ["a part without a name"]})
    data: dict = {}
    rows: dict[str, dict[int, dict]] = {}
    for key in form:
        if key == "csrf_token":
            continue
        value = form.get(key, "").strip()
        nested = _NESTED.match(key)
        if nested:
            rows.setdefault(nested["name"], {}).setdefault(int(nested["index"]), {})[nested["key"]] = value
        elif value:
            data[key] = value
    for name, indexed in rows.items():
        data[name] = [{k: v for k, v in row.items() if v} for _, row in sorted(indexed.items()) if any(row.values())]
    for key in files:
        upload = files.get(key)
        if upload is not None and upload.filename:
            data[key] = upload
    return data


def api_input() -> dict:
    """An API request's input: JSON, or multipart/form-data (for uploads) from bearer-token clients only.

    The API is exempt from CSRF tokens because a cross-site HTML form cannot send JSON; it can send multipart,
    so a multipart body is accepted only with an ``Authorization`` header, which such a form cannot set.
    """
    if request.mimetype == "multipart/form-data" and request.headers.get("Authorization", "").startswith("Bearer "):
        return form_data(request.form, request.files)
    return json_body()


UNSTORABLE = "contains a character that cannot be stored (NUL, or a lone UTF-16 surrogate)"
UNSTORABLE_FIELD = _l("Contains a character that cannot be stored (NUL or a lone surrogate).")


def unstorable(text: str) -> bool:
    """Text no database can hold: a NUL character (PostgreSQL refuses it in text and JSON) or a lone surrogate
    (``"\\ud800"`` in JSON: not encodable as UTF-8, so neither SQLite nor PostgreSQL takes it)."""
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _printable(name: str) -> str:
    return name.encode("utf-8", "backslashreplace").decode().replace("\x00", "\\x00")


def _unstorable_in_json(value, where: str) -> list[str]:
    if isinstance(value, str):
        return [where or "_schema"] if unstorable(value) else []
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            name = f"{where}.{key}" if where else str(key)
            found.extend([_printable(name)] if unstorable(str(key)) else _unstorable_in_json(item, name))
        return found
    if isinstance(value, list):
        return [bad for item in value for bad in _unstorable_in_json(item, where or "_schema")]
    return []


def refuse_unstorable_text() -> None:
    """``before_request``: a path, query argument, form field, file name or JSON string that no database column
    can hold is a 422 naming it, before any service (or the idempotency claim) reaches the database."""
    bad = ["_path"] if unstorable(request.path) else []
    bad += [_printable(name) for name, value in request.args.items(multi=True) if unstorable(name + value)]
    if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        # Read (and cache) the raw body first: parsing the form from the stream would consume it, and the body
        # would then look empty to a view that reads the raw bytes (an API call that must refuse multipart).
        request.get_data()
        try:
            bad += [_printable(name or "") for name, value in request.form.items(multi=True)
                    if unstorable((name or "") + value)]
            bad += [_printable(name or "") for name, upload in request.files.items(multi=True)
                    if unstorable((name or "") + (upload.filename or ""))]
        except ValueError:  # a malformed body: the view that reads it answers 400
            pass
    elif request.is_json and request.get_data():
        bad += _unstorable_in_json(request.get_json(silent=True), "")
    if bad:
        raise ValidationFailed({name: [UNSTORABLE_FIELD] for name in dict.fromkeys(bad)}, message=f"input {UNSTORABLE}")
