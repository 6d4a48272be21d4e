"""Who may read the market figures: platform admins only."""
from __future__ import annotations

from app.core.permissions import PlatformAdmin, Policy


class AnalyticsPolicy(Policy):
    """Market figures are for platform admins."""

    can_read = [PlatformAdmin()]


analytics_policy = AnalyticsPolicy()
