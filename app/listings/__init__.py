"""What patents, technology demands and service offers share: moderation states, fields, indicators."""
from __future__ import annotations


def init_app(app) -> None:
    """Teach the URL map ``<kind:…>`` (a registered listing kind), which the listing pages' rules use."""
    from app.listings.registry import KindConverter  # its own module, loaded when the app is wired

    app.url_map.converters["kind"] = KindConverter
