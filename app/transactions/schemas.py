"""Schema pieces every paid workflow uses: amounts in CNY and the metadata of a stored document."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

MAX_AMOUNT = 10**12  # CNY; anything larger is a typo (an int: the OpenAPI document shows bounds as numbers)


def decimal(*, low=0, high=MAX_AMOUNT, low_inclusive: bool = True, **kwargs):
    """An exact decimal with two places (a string in JSON) between ``low`` and ``high``.

    The bounds are checked by a wrapped ``Range`` and documented through metadata: apispec would print a
    ``Range`` on an ``as_string`` field as string bounds, which OpenAPI rejects.
    """
    bounds = validate.Range(min=low, max=high, min_inclusive=low_inclusive)
    metadata = {"minimum": low, "maximum": high, "exclusiveMinimum": not low_inclusive, **kwargs.pop("metadata", {})}
    return fields.Decimal(places=2, as_string=True, allow_nan=False, validate=lambda value: bounds(value),
                          metadata=metadata, **kwargs)


class DocumentSchema(Schema):
    """A deal's or order's document metadata (never its storage name)."""

    id = fields.Integer()
    kind = fields.String()
    filename = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    created_at = fields.DateTime()
