"""Portfolio import and export: JSON Lines and CSV, one listing per line, keyed by ``external_id``."""
from __future__ import annotations

from app.core import wiring


def init_app(app) -> None:
    """Wire pages, API and the import/export commands into ``app``."""
    from app.portfolio import api, cli, views  # its own modules, loaded when the app is wired, not on import

    wiring.register(app, views=[views.bp], apis=[api.blp], commands=cli.commands())  # after the listing kinds registered
