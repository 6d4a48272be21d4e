"""Owners' listing pages ("My listings", create/edit forms, submit, withdraw, attachments) and the form
plumbing the server-rendered pages share: HTML form ↔ service input, service errors → messages by field."""
from __future__ import annotations

from app.core import wiring


def init_app(app) -> None:
    """Wire the owners' listing pages into ``app``."""
    from app.manage import views  # its own modules, loaded when the app is wired, not on import

    wiring.register(app, views=[views.bp])
