"""Organisations: universities, institutes, enterprises, service providers and the platform."""
from __future__ import annotations

from app.core import wiring


def init_app(app) -> None:
    """Wire pages and API into ``app``."""
    from app.orgs import api, views  # its own modules, loaded when the app is wired, not on import

    wiring.register(app, views=[views.bp], apis=[api.blp])
