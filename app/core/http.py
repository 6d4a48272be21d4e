"""HTTP helpers shared by every API resource: page arguments, the error body, JSON bodies, pagination,
``201 Created`` and the login / platform-admin guards."""
from __future__ import annotations

import math
from functools import wraps

from flask import request, url_for
from flask_smorest import Blueprint
from marshmallow import Schema, fields, post_dump, validate
from werkzeug.exceptions import BadRequest

from app.core.errors import ServiceError
from app.core.identity import current_identity
from app.core.permissions import platform_policy

API_PREFIX = "/api/v1"
MAX_PER_PAGE = 100

PAGINATION_HEADERS = {
    "X-Total-Count": {"description": "Number of items matching the filters", "schema": {"type": "integer"}},
    "X-Page": {"description": "This page (1-based)", "schema": {"type": "integer"}},
    "X-Per-Page": {"description": "Items per page", "schema": {"type": "integer"}},
    "X-Total-Pages": {"description": "Number of pages", "schema": {"type": "integer"}},
    "Link": {"description": "RFC 8288 links to the first, previous, next and last pages", "schema": {"type": "string"}},
}


class DecimalString(fields.Decimal):
    """An exact decimal written as a JSON string (``"1500000.00"``) and documented as one: apispec documents
    every ``Decimal`` field as a number, whatever it dumps."""

    def __init__(self, **kwargs):
        metadata = {"type": "string", "format": "decimal", **kwargs.pop("metadata", {})}
        super().__init__(as_string=True, metadata=metadata, **kwargs)


class NotAuthenticated(ServiceError):
    """The endpoint needs a logged-in user (session or bearer token) (HTTP 401)."""

    status = 401


class MalformedBody(ServiceError):
    """The request body is not JSON at all (HTTP 400)."""

    status = 400


class UnsupportedBody(ServiceError):
    """The request body is not declared as JSON (HTTP 415)."""

    status = 415


class PageArgs(Schema):
    """Page selection shared by every list endpoint."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_PER_PAGE))


class ApiErrorSchema(Schema):
    """Every error body: HTTP code, error name, message and, for bad input, field → messages."""

    code = fields.Integer()
    status = fields.String()
    message = fields.String()
    errors = fields.Dict(keys=fields.String(), values=fields.Raw(), metadata={
        "description": "field → messages; a nested field's messages are keyed by its index or name"})
    current_status = fields.String()


class ReaderSchema(Schema):
    """A response schema whose body depends on who reads it, so the schema ``@blp.response`` declares is the one
    producing the body even for reader-dependent fields.

    Built with ``hide=lambda identity, obj: names``, it leaves out the fields the request's identity may not see
    (``blank=True``: keeps them as ``null``, where clients expect the key). Without ``hide`` it dumps every
    field (audit records, search documents) and never looks at the request.
    """

    def __init__(self, *args, hide=None, blank: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.hide = hide
        self.blank = blank

    @post_dump(pass_original=True)
    def _as_the_reader_may_see_it(self, data, original, **kwargs):
        if self.hide is not None:
            for name in self.hide(current_identity(), original):
                if self.blank:
                    data[name] = None
                else:
                    data.pop(name, None)
        return data


# ---------------------------------------------------------------- request helpers


def _requires(platform_admin: bool):
    def decorator(func):
        @wraps(func)
        def wrapper(*args, **kwargs):
            identity = current_identity()
            if not identity.is_authenticated:
                raise NotAuthenticated("log in or send an API token (Authorization: Bearer …)")
            if platform_admin:
                platform_policy.require("administer", identity, message="platform admins only")
            return func(*args, **kwargs)

        return wrapper

    return decorator


# 401 for anonymous callers; the service still decides what a logged-in identity may do.
require_login = _requires(platform_admin=False)
# 401 for anonymous callers, 403 for anyone but platform admins (admin endpoints).
require_platform_admin = _requires(platform_admin=True)


def json_body():
    """The parsed JSON request body, as sent; services load and validate it with their schema.

    Malformed JSON is a 400; a body that is valid JSON but not an object is left to the service's
    schema, which answers 422 naming ``_schema``.
    """
    if not request.get_data():
        return {}
    if not request.is_json:
        # Only JSON: a cross-site HTML form cannot send it, so cookie sessions stay safe without CSRF tokens.
        raise UnsupportedBody("send the body as application/json", errors={"_json": ["expected application/json"]})
    try:
        return request.get_json()
    except BadRequest:
        raise MalformedBody("the request body is not valid JSON", errors={"_json": ["not valid JSON"]}) from None


def documents_body(blp: Blueprint, schema_cls, partial: bool = False):
    """Document ``schema_cls`` as the JSON request body without letting webargs load it.

    Listing services need the raw object (edits of a published listing wait for review as sent).
    """
    description = "Any subset of the fields (partial update)" if partial else None
    body = {"required": True, "content": {"application/json": {"schema": schema_cls}}}
    if description:
        body["description"] = description
    return blp.doc(requestBody=body)


def paginated(items, total: int, page: int, per_page: int):
    """A page of ``items`` for ``@blp.response`` to serialise, with pagination headers (X-Total-Count, X-Page, …
    and Link): a ``(items, 200, headers)`` tuple."""
    pages = max(1, math.ceil(total / per_page))
    headers = {"X-Total-Count": str(total), "X-Page": str(page), "X-Per-Page": str(per_page),
               "X-Total-Pages": str(pages)}
    args = request.args.to_dict()
    links = {"first": 1, "last": pages}
    if page > 1:
        links["prev"] = min(page - 1, pages)
    if page < pages:
        links["next"] = page + 1
    headers["Link"] = ", ".join(
        f'<{url_for(request.endpoint, **(request.view_args or {}), **{**args, "page": number, "per_page": per_page})}>; rel="{rel}"'
        for rel, number in links.items()
    )
    return items, 200, headers


def created(obj, location: str):
    """201 with the new object (serialised by ``@blp.response``) and its ``Location``."""
    return obj, 201, {"Location": location}
