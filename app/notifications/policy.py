"""Who may read notifications: each person their own."""
from __future__ import annotations

from app.core.permissions import Authenticated, Myself, Policy


class NotificationPolicy(Policy):
    """A logged-in person has an inbox (``list``) and reads and marks only their own notifications."""

    can_list = [Authenticated()]
    can_read = [Myself()]


notification_policy = NotificationPolicy()
