"""Market figures: the admin dashboard and each organisation's, as charts with their tables and CSVs, and the
annual / three-year review reports."""
from __future__ import annotations

from app.core import wiring


def init_app(app) -> None:
    """Wire the dashboards and the review command into ``app``; keep the dashboards' summary tables with every
    flush."""
    from app.analytics import cli, facts, views  # its own modules, loaded when the app is wired

    wiring.register(app, views=[views.bp], commands=[cli.cli])
    facts.listen()
