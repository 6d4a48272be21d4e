"""Who may see and revoke API tokens: each person their own."""
from __future__ import annotations

from app.core.permissions import Authenticated, Myself, Policy


class ApiTokenPolicy(Policy):
    """A logged-in person lists their tokens (``list``) and reads and revokes only their own."""

    can_list = [Authenticated()]
    can_read = [Myself()]
    can_revoke = [Myself()]


token_policy = ApiTokenPolicy()
