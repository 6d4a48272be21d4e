"""Patents (专利) posted by university and institute tech-transfer offices."""
from __future__ import annotations

from app.core import wiring
from app.listings import registry


def init_app(app) -> None:
    """Register the listing kind and wire its API into ``app``."""
    from app.patents import api  # its own modules, loaded when the app is wired, not on import
    from app.patents.service import patents_service

    registry.register(patents_service)
    wiring.register(app, apis=[api.blp])
