"""Match output: the counterpart's own JSON plus score and explanation."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.listings.registry import ListingField, validate_resource


class MatchArgs(Schema):
    """``?limit=`` (and ``?kind=`` for service matches)."""

    limit = fields.Integer(load_default=10, validate=validate.Range(min=1, max=100))


class ServiceMatchArgs(MatchArgs):
    kind = fields.String(validate=validate.OneOf(["pilot", "inspection"]), load_default=None, allow_none=True)


class SummaryLineSchema(Schema):
    """One sentence of an explanation, in the caller's language."""

    feature = fields.String(metadata={"description": "lexical, semantic, classification, indicators, maturity, price or region"})
    label = fields.String()
    text = fields.String()


class MatchedTermSchema(Schema):
    term = fields.String()
    found_in = fields.List(fields.String(), data_key="in", attribute="in",
                           metadata={"description": "title, keywords and/or body"})


class ExplanationSchema(Schema):
    """Why a listing matched: the facts, and the same in words."""

    key_terms = fields.List(fields.String(), metadata={"description": "the source's searched words: title words, then key phrases"})
    matched = fields.List(fields.Nested(MatchedTermSchema))
    indicators = fields.List(fields.Dict(), metadata={"description": "each wanted indicator checked: name, target, found, result"})
    features = fields.Dict(metadata={"description": "feature → value (null when unknown), known, weight, contribution, detail"})
    summary = fields.List(fields.Nested(SummaryLineSchema))


class MatchSchema(Schema):
    """One ranked match."""

    listing = ListingField(metadata={"description": "the matched listing, as its own API returns it"})
    score = fields.Float(metadata={"description": "0–1: the weighted mean of the known features"})
    explanation = fields.Nested(ExplanationSchema)


class MatchListSchema(Schema):
    source_id = fields.Integer()
    matches = fields.List(fields.Nested(MatchSchema))


class SavedSearchInput(Schema):
    """A search to save: its resource, a name, and the search API's parameters (``q`` and filters)."""

    resource = fields.String(required=True, validate=validate_resource)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    params = fields.Dict(load_default=dict, metadata={"description": "as GET /api/v1/search/{resource} takes them"})


class SavedSearchSchema(Schema):
    id = fields.Integer()
    resource = fields.String()
    name = fields.String()
    query = fields.String()
    filters = fields.Dict()
    created_at = fields.DateTime()
