"""In-app notifications and e-mail."""
from __future__ import annotations

from app.core import wiring
from app.core.workflow import transitioned


def init_app(app) -> None:
    """Wire the API, the notices of decisions and the workflow notices (who must act next) into ``app``."""
    from app.notifications import api, decisions, workflow  # its own modules, loaded when the app is wired

    wiring.register(app, apis=[api.blp])
    decisions.init_app(app)
    transitioned.connect(workflow.notify_next)
