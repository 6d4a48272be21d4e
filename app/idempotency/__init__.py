"""Idempotent API writes: an ``Idempotency-Key`` header on any POST under ``/api/v1``.

The first request with a key claims it — a row scoped to the principal (user, or anonymous), the method and the
path, with a SHA-256 of the body (of its fields and files when multipart: clients draw a new boundary for every
send) — in the same transaction as the changes it makes, and its response (status,
body, ``Content-Type`` and ``Location``) is stored right after. A retry with the same key and body gets the stored
response (with ``Idempotent-Replayed: true``) and writes nothing; the same key with another body is a 422.

Concurrent retries cannot both write: the claim is unique, so the second INSERT waits for the first transaction
(PostgreSQL's unique index; SQLite's ``BEGIN IMMEDIATE``) and then fails; the loser waits for the stored response
and returns it, or answers 409 when the first request is still running after :data:`WAIT_SECONDS` (or ended
without a response: its outcome is unknown, so nothing is guessed).

This is a hook around every API POST, not code in the endpoints. Two POSTs are left out: ``/auth/tokens``, whose
response is a secret that must not be stored, and the Stripe webhook, idempotent per event id.
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
import time

from apispec import BasePlugin
from flask import Flask, Response, g, request
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from app.core.errors import Conflict, ValidationFailed
from app.core.extensions import db
from app.core.identity import current_identity
from app.core.models import utcnow
from app.idempotency.models import IdempotencyKey

log = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
API_PREFIX = "/api/v1/"
EXCLUDED_PATHS = frozenset({"/api/v1/auth/tokens", "/api/v1/payments/webhook"})
KEPT_HEADERS = ("Content-Type", "Location")
# How long a retry waits for the first request's response before answering 409.
WAIT_SECONDS = 10.0
POLL_SECONDS = 0.05
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")  # visible ASCII, as in a UUID or a ULID

PARAMETER = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
    "description": (
        "Makes the POST safe to retry: the first response is stored with the key (per caller, method and path) "
        "and a retry with the same key and body returns it (header `Idempotent-Replayed: true`) without writing "
        "again. The same key with another body is 422; while the first request runs, 409."
    ),
}


def _key_error(message: str) -> ValidationFailed:
    return ValidationFailed({HEADER: [message]}, message=message)


def _applies() -> bool:
    return (request.method == "POST" and HEADER in request.headers and request.path.startswith(API_PREFIX)
            and request.path not in EXCLUDED_PATHS)


def _principal() -> str:
    identity = current_identity()
    return f"user:{identity.user_id}" if identity.user_id is not None else "anonymous"


def claim_key():
    """``before_request``: claim the key, or answer with the stored response of an earlier request."""
    if not _applies():
        return None
    key = request.headers[HEADER]
    if not _KEY.match(key):
        raise _key_error("1 to 255 visible ASCII characters")
    scope = {"principal": _principal(), "method": request.method, "path": request.path[:512], "key": key}
    digest = request_digest()
    row = IdempotencyKey(**scope, request_hash=digest)
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:  # an earlier request holds the key (and has committed: the INSERT waited for it)
        return _stored_response(scope, digest)
    g.idempotency_claim = row
    return None


def request_digest() -> str:
    """The SHA-256 identifying a request's body. A multipart body is identified by its fields and files (name,
    filename, type, content), not its bytes: HTTP clients draw a new boundary for every send, retries included."""
    data = request.get_data()  # cached: the form parser and the view read these same bytes
    if request.mimetype == "multipart/form-data":
        try:
            fields = sorted(request.form.items(multi=True), key=lambda item: item[0])  # stable: keeps value order
            files = []
            for name, upload in sorted(request.files.items(multi=True), key=lambda item: item[0]):
                content = upload.stream.read()
                upload.stream.seek(0)
                files.append([name, upload.filename or "", upload.mimetype or "", hashlib.sha256(content).hexdigest()])
        except (ValueError, TypeError, KeyError):  # a malformed body: its bytes identify it; the view refuses it
            return hashlib.sha256(data).hexdigest()
        canonical = json.dumps({"multipart": [list(field) for field in fields], "files": files}, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()
    return hashlib.sha256(data).hexdigest()


def _stored_response(scope: dict, digest: str) -> Response:
    """The response stored under ``scope``, waiting (up to :data:`WAIT_SECONDS` from now) while the first request
    is still running."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        db.session.rollback()  # end our transaction: the first request may need the write lock to finish
        row = db.session.scalar(select(IdempotencyKey).filter_by(**scope))
        if row is None:
            raise Conflict("the first request with this Idempotency-Key was undone; retry",
                           errors={HEADER: ["retry"]})
        if row.request_hash != digest:
            raise _key_error("this key was already used with a different request body")
        if row.status_code is not None:
            response = Response(row.response_body, status=row.status_code, headers=row.response_headers or {})
            response.headers[REPLAYED_HEADER] = "true"
            return response
        if time.monotonic() > deadline:
            raise Conflict("the first request with this Idempotency-Key has not finished; its outcome is unknown",
                           errors={HEADER: ["still in progress, or ended without a response"]})
        time.sleep(POLL_SECONDS)


def store_response(response: Response) -> Response:
    """``after_request``: complete the claim with the response. A 5xx is not stored (the claim goes with the
    failed transaction, or stays pending: its outcome is unknown); storing never fails the response."""
    row = g.pop("idempotency_claim", None)
    if row is None or response.status_code >= 500 or response.direct_passthrough:
        return response
    if not inspect(row).persistent:  # the request's transaction was rolled back: it wrote nothing, keep nothing
        return response
    try:
        row.status_code = response.status_code
        row.response_body = response.get_data()
        row.response_headers = {name: response.headers[name] for name in KEPT_HEADERS if name in response.headers}
        row.completed_at = utcnow()
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        log.exception("could not store the response of Idempotency-Key %s", row.key)
    return response


class IdempotencyKeyDoc(BasePlugin):
    """apispec plugin: documents the header on every POST it applies to."""

    def operation_helper(self, path=None, operations=None, **kwargs):
        rule = kwargs.get("rule")
        post = (operations or {}).get("post")
        if post is None or (rule is not None and rule.rule in EXCLUDED_PATHS):
            return
        post.setdefault("parameters", []).append(dict(PARAMETER))


def init_app(app: Flask, api) -> None:
    """Install the hooks and the OpenAPI documentation; call before the API blueprints are registered."""
    plugin = IdempotencyKeyDoc()
    plugin.init_spec(api.spec)
    api.spec.plugins.append(plugin)
    app.before_request(claim_key)
    app.after_request(store_response)
