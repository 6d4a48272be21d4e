"""Demo data: organisations, one user per role, real patents, written demands and service offers."""
from __future__ import annotations

from app.core import wiring


def init_app(app) -> None:
    """Wire the seed-demo command into ``app``."""
    from app.demo import cli  # its own modules, loaded when the app is wired, not on import

    wiring.register(app, commands=[cli.cli])
