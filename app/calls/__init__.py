"""Calls for solutions (揭榜挂帅): an enterprise publishes a problem with a budget and a deadline, universities and
institutes send sealed proposals, the enterprise evaluates them after the deadline and awards one, which opens a
commissioned-development (技术开发) deal."""
from __future__ import annotations

from app.core import wiring


def init_app(app) -> None:
    """Wire the call pages (calls and proposals), the API and the evaluation command into ``app``."""
    from app.calls import api, cli, views  # its own modules, loaded when the app is wired, not on import

    wiring.register(app, views=[views.bp, views.proposals_bp], apis=[api.blp], commands=[cli.cli])
