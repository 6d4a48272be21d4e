"""The server-rendered web UI (zh-CN first, English)."""
from __future__ import annotations

from app.core import wiring


def init_app(app) -> None:
    """Wire the home page and listing pages into ``app``."""
    from app.web import views  # its own modules, loaded when the app is wired, not on import

    wiring.register(app, views=[views.bp])
