"""Moderation of listings and verification of organisations, with an append-only audit log."""
from __future__ import annotations

from app.core import wiring


def init_app(app) -> None:
    """Wire the admin desk's pages and API into ``app``."""
    from app.moderation import api, views  # its own modules, loaded when the app is wired, not on import

    wiring.register(app, views=[views.bp], apis=[api.blp])
