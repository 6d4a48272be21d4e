"""Service-level errors, each mapped to one HTTP status with a JSON body naming what went wrong."""
from __future__ import annotations


class ServiceError(Exception):
    """Base class: ``status`` is the HTTP status, ``payload`` the JSON body."""

    status = 400

    def __init__(self, message: str, **extra):
        super().__init__(message)
        self.message = message
        self.extra = extra

    @property
    def payload(self) -> dict:
        return {"code": self.status, "status": type(self).__name__, "message": self.message, **self.extra}


class ValidationFailed(ServiceError):
    """Input that does not validate: ``errors`` maps field names to messages (HTTP 422)."""

    status = 422

    def __init__(self, errors: dict, message: str = "Invalid input"):
        super().__init__(message, errors=errors)
        self.errors = errors


class PermissionDenied(ServiceError):
    """The identity may not perform the action (HTTP 403)."""

    status = 403


class NotFound(ServiceError):
    """The object does not exist or the identity may not know it exists (HTTP 404)."""

    status = 404


class Conflict(ServiceError):
    """The object's current state does not allow the action (HTTP 409)."""

    status = 409
