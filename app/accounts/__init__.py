"""User accounts, login sessions and API tokens."""
from __future__ import annotations

from app.core import wiring


def init_app(app) -> None:
    """Wire pages, API and the login loader (sessions and API tokens) into ``app``."""
    from app.accounts import api, auth, views  # its own modules, loaded when the app is wired, not on import

    wiring.register(app, views=[views.bp], apis=[api.blp])
    auth.init_app(app)
