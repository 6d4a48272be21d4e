"""Market figures: the admin dashboard and each organisation's, as charts with their tables and CSVs, and the
annual / three-year review reports."""
from __future__ import annotations

from app.core import wiring


def init_app(app) -> None:
    """Wire the dashboards and the review command into ``app``."""
    from app.analytics import cli, views  # its own modules, loaded when the app is wired, not on import

    wiring.register(app, views=[views.bp], commands=[cli.cli])
