"""Query-string schemas for search: one per resource, built from the facet and range tables."""
from __future__ import annotations

from functools import cache

from marshmallow import EXCLUDE, Schema, fields, validate

from app.listings.registry import ListingField, kind
from search.query import SORTS

MAX_QUERY_CHARS = 10_000
MAX_PER_PAGE = 100


@cache
def search_args(resource: str) -> type[Schema]:
    """The query-string schema of ``GET /api/v1/search/<resource>``."""
    spec = {
        "q": fields.String(load_default="", validate=validate.Length(max=MAX_QUERY_CHARS)),
        "sort": fields.String(load_default="relevance", validate=validate.OneOf(SORTS)),
        "page": fields.Integer(load_default=1, validate=validate.Range(min=1, max=1000)),
        "per_page": fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_PER_PAGE)),
    }
    for field in kind(resource).facets:
        spec[field] = fields.List(fields.String(validate=validate.Length(min=1, max=64)), validate=validate.Length(max=20))
    for prefix in kind(resource).ranges:
        for side in ("min", "max"):
            spec[f"{prefix}_{side}"] = fields.Float(allow_nan=False, validate=validate.Range(min=0))
    return Schema.from_dict(spec, name=f"{resource.title()}SearchArgs")


class SuggestArgs(Schema):
    """``?q=`` prefix typed so far."""

    q = fields.String(required=True, validate=validate.Length(min=1, max=50))
    limit = fields.Integer(load_default=8, validate=validate.Range(min=1, max=20))


class SuggestionsSchema(Schema):
    """Title completions."""

    suggestions = fields.List(fields.String())


class SimilarSchema(Schema):
    """Similar listings: each the resource's own JSON."""

    hits = fields.List(ListingField())


class SearchHitsSchema(Schema):
    """The search response (hits are the resource's own JSON plus ``score`` and ``highlights``)."""

    class Meta:
        unknown = EXCLUDE

    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    hits = fields.List(ListingField())
    facets = fields.Dict(keys=fields.String(), values=fields.List(fields.Dict()))
    exact = fields.Boolean(metadata={"description": "false when no listing has every word: hits are then related ones"})
    unknown_terms = fields.List(fields.String(), metadata={"description": "words of the query no listing contains"})
