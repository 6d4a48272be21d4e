"""Service offers: pilot-scale (中试) lines and inspection/testing (检验检测) labs."""
from __future__ import annotations

from app.core import wiring
from app.listings import registry


def init_app(app) -> None:
    """Register the listing kind and wire its API into ``app``."""
    from app.service_offers import api  # its own modules, loaded when the app is wired, not on import
    from app.service_offers.service import service_offers_service

    registry.register(service_offers_service)
    wiring.register(app, apis=[api.blp])
