"""Helpers for page tests: service input as the HTML form posts it, and where a page put its messages."""
from __future__ import annotations

import re

from werkzeug.datastructures import MultiDict

from app.core.forms import Form
from app.listings.registry import kind, listing_services


def form_data(resource: str, data: dict, **extra) -> MultiDict:
    """``data`` (what the API would take) as the listing form of ``resource`` posts it."""
    form = Form.from_data(kind(resource).form, listing_services()[resource].schema_cls(), data)
    posted = MultiDict()
    for field in form.fields:
        shown = form.values[field.name]
        if field.widget == "checkboxes":
            for value in shown:
                posted.add(field.name, value)
        elif field.widget == "checkbox":
            if shown:
                posted.add(field.name, "on")
        elif field.widget == "rows":
            for row in shown:
                for column in field.columns:
                    posted.add(f"{field.name}-{column.name}", row[column.name])
        else:
            posted.add(field.name, shown)
    for key, value in extra.items():
        posted.setlist(key, value if isinstance(value, list) else [value])
    return posted


def field_messages(html: str, name: str) -> str:
    """The text of the field block ``name`` (label, input, help and messages) of a rendered form."""
    match = re.search(rf'<div class="field[^"]*" id="field-{re.escape(name)}">(.*?)</div>\s*(?=<div class="field|</div>)',
                      html, re.S)
    assert match, f"no field {name} on the page"
    return match.group(1)


def errors_of(html: str, name: str) -> list[str]:
    """The messages shown next to field ``name``."""
    return re.findall(r'<p class="field-error">(.*?)</p>', field_messages(html, name), re.S)
