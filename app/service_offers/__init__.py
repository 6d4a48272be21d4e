"""Service offers: pilot-scale (中试) lines and inspection/testing (检验检测) labs."""
from __future__ import annotations

from app.core import wiring


def init_app(app) -> None:
    """Wire the API into ``app``."""
    from app.service_offers import api  # its own modules, loaded when the app is wired, not on import

    wiring.register(app, apis=[api.blp])
