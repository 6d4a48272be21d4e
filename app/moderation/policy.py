"""Who may review listings and read the audit log: platform admins only."""
from __future__ import annotations

from app.core.permissions import PlatformAdmin, Policy


class ModerationPolicy(Policy):
    """The review queue, bulk decisions, pending diffs and the audit log belong to platform admins."""

    can_review = [PlatformAdmin()]
    can_read_audit = [PlatformAdmin()]


moderation_policy = ModerationPolicy()
