"""Technology demands (技术需求) posted by enterprises."""
from __future__ import annotations

from app.core import wiring
from app.listings import registry


def init_app(app) -> None:
    """Register the listing kind and wire its API into ``app``."""
    from app.demands import api  # its own modules, loaded when the app is wired, not on import
    from app.demands.service import demands_service

    registry.register(demands_service)
    wiring.register(app, apis=[api.blp])
