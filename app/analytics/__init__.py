"""Market figures for platform admins (read-only)."""
from __future__ import annotations

from app.core import wiring


def init_app(app) -> None:
    """Wire the admin dashboard into ``app``."""
    from app.analytics import views  # its own modules, loaded when the app is wired, not on import

    wiring.register(app, views=[views.bp])
