"""Request input of workflow actions, shared by the API and the pages: a JSON body, or an HTML form (with files).

HTML forms cannot nest, so list-of-object fields are sent as ``name-<index>-<key>`` (``milestones-0-title``);
rows whose inputs are all empty are dropped. Empty inputs become absent fields, so the schema's defaults apply.
"""
from __future__ import annotations

import re

from flask import request

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
