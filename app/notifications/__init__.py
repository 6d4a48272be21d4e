"""In-app notifications and e-mail."""
from __future__ import annotations

from app.core import wiring


def init_app(app) -> None:
    """Wire the API and the notices of decisions into ``app``."""
    from app.notifications import api, decisions  # its own modules, loaded when the app is wired, not on import

    wiring.register(app, apis=[api.blp])
    decisions.init_app(app)
