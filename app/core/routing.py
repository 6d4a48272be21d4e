"""URL converters: ``<int:…>`` in every route is bounded to what the database can hold.

Werkzeug's ``int`` converter accepts any number of digits; an id beyond a signed 64-bit integer then reaches
the database and fails there (SQLite: OverflowError, PostgreSQL: out of range) as a 500. Bounding the converter
makes such a path simply not match (404 with the JSON error body), and documents the bound in OpenAPI.
"""
from __future__ import annotations

from flask import Flask
from flask_smorest.spec.plugins import integerconverter2paramschema
from werkzeug.routing import IntegerConverter

# The largest value of a signed 64-bit integer column (PostgreSQL BIGINT, SQLite INTEGER).
MAX_DB_INT = 2**63 - 1


class BoundedIntConverter(IntegerConverter):
    """``int`` with a default maximum of :data:`MAX_DB_INT` (a route may still pass its own ``max``)."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = MAX_DB_INT,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def init_app(app: Flask, api) -> None:
    """Install the bounded ``int`` converter; call before any blueprint is registered."""
    app.url_map.converters["int"] = BoundedIntConverter
    api.register_converter(BoundedIntConverter, integerconverter2paramschema)
