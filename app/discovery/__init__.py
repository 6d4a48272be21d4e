"""Search for people: full-text search with filters, facets, highlights, suggestions and similar listings."""
from __future__ import annotations

from app.core import wiring


def init_app(app) -> None:
    """Wire the search API into ``app``."""
    from app.discovery import api  # its own modules, loaded when the app is wired, not on import

    wiring.register(app, apis=[api.search_blueprint()])  # after the listing kinds registered
