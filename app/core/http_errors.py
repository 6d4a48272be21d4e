"""HTTP error handling: JSON bodies under /api, rendered pages elsewhere."""
from __future__ import annotations

import re

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError
from sqlalchemy.exc import IntegrityError, StatementError
from werkzeug.exceptions import BadRequest, HTTPException

from app.core.errors import Conflict, ServiceError, ValidationFailed
from app.core.extensions import db

# The column a unique violation is about (the last of a composite key): SQLite names "table.column", PostgreSQL's
# detail reads "Key (a, b)=(…) already exists".
_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (?:[\w.]+, )*\w+\.(?P<column>\w+)")
_POSTGRES_KEY = re.compile(r"Key \((?:\w+, )*(?P<column>\w+)\)=")
_POSTGRES_UNIQUE_VIOLATION = "23505"
_POSTGRES_OUT_OF_RANGE = "22003"
HEADER_NEWLINE = "Header values must not contain newline characters."


def unique_violation(error: IntegrityError) -> Conflict | None:
    """A 409 naming the duplicated field for a unique-constraint violation; None for other integrity errors."""
    text = str(error.orig)
    match = _SQLITE_UNIQUE.search(text)
    if match is None and getattr(error.orig, "sqlstate", None) == _POSTGRES_UNIQUE_VIOLATION:
        match = _POSTGRES_KEY.search(text)
        if match is None:
            return Conflict("conflicts with an existing record")
    if match is None:
        return None
    field = match["column"]
    return Conflict(f"{field} is already used", errors={field: ["already used by another record"]})


def out_of_range(error: Exception) -> ValidationFailed | None:
    """A 422 for a number the database cannot hold (the last line of defence behind the schemas' bounds).

    pysqlite raises a bare ``OverflowError`` while binding; PostgreSQL answers SQLSTATE 22003.
    """
    orig = getattr(error, "orig", error)
    if isinstance(orig, OverflowError) or getattr(orig, "sqlstate", None) == _POSTGRES_OUT_OF_RANGE:
        return ValidationFailed({"_schema": ["a number is out of range"]}, message="a number is out of range")
    return None


_POSTGRES_UNTRANSLATABLE = {"22P05", "22021"}  # untranslatable character, character not in repertoire


def unstorable_text(error: Exception) -> ValidationFailed | None:
    """A 422 for text the database cannot hold (behind the ``refuse_unstorable_text`` check of request input):
    psycopg refuses a NUL before sending, PostgreSQL a ``\\u0000`` in JSONB, both drivers a lone surrogate."""
    orig = getattr(error, "orig", error)
    if (isinstance(orig, UnicodeEncodeError) or "NUL (0x00)" in str(orig)
            or getattr(orig, "sqlstate", None) in _POSTGRES_UNTRANSLATABLE):
        return ValidationFailed({"_schema": ["text contains a character that cannot be stored"]},
                                message="text contains a character that cannot be stored")
    return None


# What a person reads on an error page, in their language (the exception's own text is English and technical).
ERROR_PAGES = {
    400: (_l("The request cannot be read"), _l("Something in the address or the form is not valid. Go back and try again.")),
    403: (_l("No access"), _l("You may not open this page. Log in with an account that may, or go back.")),
    404: (_l("Page not found"), _l("This page does not exist, or it is not public. Check the address or search for it.")),
    405: (_l("Not possible here"), _l("This page cannot be used this way. Go back and use its buttons.")),
    409: (_l("Not possible now"), _l("This cannot be done in the current state. Reload the page to see what changed.")),
    413: (_l("Too large"), _l("What you sent is too large.")),
    422: (_l("Check your input"), _l("Some of what you entered is not valid. Go back and correct it.")),
    429: (_l("Too many attempts"), _l("Please wait a minute, then try again.")),
    500: (_l("Something went wrong"), _l("An error on our side stopped this page. It has been logged; please try again later.")),
    503: (_l("Temporarily unavailable"), _l("The service is being maintained or is overloaded. Please try again in a few minutes.")),
}


def render_error_page(status: int):
    """The error page of ``status`` in the reader's language, with a way back."""
    title, message = ERROR_PAGES.get(status, ERROR_PAGES[500 if status >= 500 else 400])
    return render_template("error.html", status=status, title=title, message=message), status


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def init_app(app: Flask) -> None:
    """Register handlers for service errors, schema errors and HTTP errors."""

    @app.errorhandler(ServiceError)
    def handle_service_error(error: ServiceError):
        if _wants_json():
            return jsonify(error.payload), error.status
        return render_error_page(error.status)

    @app.errorhandler(OverflowError)
    @app.errorhandler(StatementError)
    def handle_database_error(error: Exception):
        # Input the schemas let through but the database refuses is the client's error, never a 500.
        mapped = (unique_violation(error) if isinstance(error, IntegrityError)
                  else out_of_range(error) or unstorable_text(error))
        if mapped is None:
            raise error
        db.session.rollback()  # the failed transaction wrote nothing; nothing after this may commit it
        return handle_service_error(mapped)

    @app.errorhandler(UnicodeEncodeError)
    def handle_unencodable_text(error: UnicodeEncodeError):
        # A lone surrogate (sent as "\\ud800" in JSON) reaching a driver, which cannot encode it (SQLite raises
        # it unwrapped): the client's text, never a 500.
        db.session.rollback()
        return handle_service_error(unstorable_text(error))

    @app.errorhandler(ValueError)
    def handle_header_injection(error: ValueError):
        # Werkzeug refuses a header value with a newline (e.g. a redirect to a ``next`` carrying %0a): the
        # request asked for it, so it is a 400, whatever check of the target ran (or did not) before.
        if str(error) != HEADER_NEWLINE:
            raise error
        return handle_http_error(BadRequest(gettext("The link contains a line break and cannot be followed.")))

    @app.errorhandler(ValidationError)
    def handle_schema_error(error: ValidationError):
        return handle_service_error(ValidationFailed(error.normalized_messages()))

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        if _wants_json():
            body = {"code": error.code, "status": error.name, "message": error.description}
            # flask-smorest / webargs put field errors in data["messages"].
            messages = getattr(error, "data", {}).get("messages") if hasattr(error, "data") else None
            if messages:
                # A location's messages are a list when the whole body is wrong (e.g. invalid JSON).
                body["errors"] = {
                    k: v
                    for location, loc in messages.items()
                    for k, v in (loc.items() if isinstance(loc, dict) else [(f"_{location}", loc)])
                }
            return jsonify(body), error.code
        return render_error_page(error.code)
