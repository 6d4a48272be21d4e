"""Technology demands (技术需求) posted by enterprises."""
from __future__ import annotations

from app.core import wiring


def init_app(app) -> None:
    """Wire the API into ``app``."""
    from app.demands import api  # its own modules, loaded when the app is wired, not on import

    wiring.register(app, apis=[api.blp])
