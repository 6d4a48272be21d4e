"""Match output: the counterpart's own JSON plus score and explanation."""
from __future__ import annotations

from marshmallow import Schema, fields, validate


class MatchArgs(Schema):
    """``?limit=`` (and ``?kind=`` for service matches)."""

    limit = fields.Integer(load_default=10, validate=validate.Range(min=1, max=100))


class ServiceMatchArgs(MatchArgs):
    kind = fields.String(validate=validate.OneOf(["pilot", "inspection"]), load_default=None, allow_none=True)


class MatchSchema(Schema):
    """One ranked match."""

    listing = fields.Dict(metadata={"description": "the matched listing, as its own API returns it"})
    score = fields.Float()
    explanation = fields.Dict(metadata={"description": "matched_terms, indicators checked, features"})


class MatchListSchema(Schema):
    source_id = fields.Integer()
    matches = fields.List(fields.Nested(MatchSchema))


class SavedSearchInput(Schema):
    """A search to save: its resource, a name, and the search API's parameters (``q`` and filters)."""

    resource = fields.String(required=True, validate=validate.OneOf(["patents", "demands", "services"]))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    params = fields.Dict(load_default=dict, metadata={"description": "as GET /api/v1/search/{resource} takes them"})


class SavedSearchSchema(Schema):
    id = fields.Integer()
    resource = fields.String()
    name = fields.String()
    query = fields.String()
    filters = fields.Dict()
    created_at = fields.DateTime()
