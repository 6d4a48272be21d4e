"""Fields and base schema shared by the patent, demand and service-offer schemas.

One schema per resource loads API input, dumps API output and builds the search document
(``exclude=CONFIDENTIAL`` for everything that leaves the owner's hands).
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.core.http import ReaderSchema
from app.core.validators import normalise_ipc
from app.listings.models import CoopMode

MAX_PRICE = 1e12  # CNY; anything larger is a typo


class ValidatedString(fields.String):
    """A string normalised by a ``normalise(value) -> str`` function that raises ``ValueError``."""

    def __init__(self, normalise, **kwargs):
        super().__init__(**kwargs)
        self.normalise = normalise

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return self.normalise(text)
        except ValueError as error:
            raise ValidationError(str(error)) from None


def ipc_list():
    """A list of IPC symbols, normalised to ``G06F 16/35``."""
    return fields.List(ValidatedString(normalise_ipc), attribute="ipc_codes", data_key="ipc", validate=validate.Length(max=30))


def coop_modes():
    """Cooperation modes, stored as plain strings in a JSON column."""
    return fields.List(fields.String(validate=validate.OneOf([m.value for m in CoopMode])), validate=validate.Length(max=6))


def money(**kwargs):
    """A non-negative CNY amount."""
    return fields.Float(allow_nan=False, validate=validate.Range(min=0, max=MAX_PRICE), allow_none=True, **kwargs)


class IndicatorSchema(Schema):
    """A technical indicator row: a stated value/range (patents) or a target (demands)."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    comparator = fields.String(load_default="eq", validate=validate.OneOf(["eq", "gte", "lte", "range"]))
    value = fields.Float(allow_nan=False, allow_none=True)
    value_max = fields.Float(allow_nan=False, allow_none=True)
    unit = fields.String(allow_none=True, validate=validate.Length(max=32))

    @validates_schema
    def _check_bounds(self, data, **kwargs):
        comparator = data.get("comparator", "eq")
        if comparator == "range":
            if data.get("value") is None or data.get("value_max") is None:
                raise ValidationError([_l("A range needs both a lower and an upper value.")], "value_max")
            if data["value"] > data["value_max"]:
                raise ValidationError([_l("The lower value must not exceed the upper value.")], "value_max")
        elif data.get("value") is None:
            raise ValidationError([_l("Enter a value.")], "value")


class ListingSchema(ReaderSchema):
    """Fields every listing has; resource schemas add theirs."""

    id = fields.Integer(dump_only=True)
    external_id = fields.String(allow_none=True, validate=validate.Length(min=1, max=100))
    org_id = fields.Integer(dump_only=True)
    org_name = fields.String(attribute="organisation.name", dump_only=True)
    org_kind = fields.Function(lambda obj: obj.organisation.kind.value, dump_only=True)
    title = fields.String(required=True, validate=validate.Length(min=2, max=300))
    industry = fields.String(allow_none=True, validate=validate.Length(max=64))
    region = fields.String(allow_none=True, validate=validate.Length(max=64))
    keywords = fields.List(fields.String(validate=validate.Length(min=1, max=50)), validate=validate.Length(max=30))
    visibility = fields.Function(lambda obj: getattr(obj, "visibility", None) and obj.visibility.value or "public", dump_only=True)
    status = fields.Function(lambda obj: obj.status.value, dump_only=True)
    moderation_note = fields.String(dump_only=True, allow_none=True)
    has_pending_changes = fields.Function(lambda obj: obj.pending_changes is not None, dump_only=True)
    published_at = fields.DateTime(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)
    view_count = fields.Integer(dump_only=True)
    is_demo = fields.Boolean(dump_only=True)
