"""HTTP error handling: JSON bodies under /api, rendered pages elsewhere."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from .errors import ServiceError, ValidationFailed


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def init_app(app: Flask) -> None:
    """Register handlers for service errors, schema errors and HTTP errors."""

    @app.errorhandler(ServiceError)
    def handle_service_error(error: ServiceError):
        if _wants_json():
            return jsonify(error.payload), error.status
        return render_template("error.html", status=error.status, message=error.message), error.status

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
        return render_template("error.html", status=error.code, message=error.description), error.code
