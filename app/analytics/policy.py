"""Who may read which figures: platform admins see the whole market and set the incubation flag; the people
of an organisation see their own organisation's dashboard."""
from __future__ import annotations

from app.core.permissions import PlatformAdmin, Policy
from app.orgs.policy import MemberOf


class AnalyticsPolicy(Policy):
    """Actions: ``read_market`` and ``export_review`` (no object), ``read_org`` and ``set_incubation`` (an
    :class:`~app.orgs.models.Organisation`)."""

    can_read_market = [PlatformAdmin()]
    can_export_review = [PlatformAdmin()]
    can_set_incubation = [PlatformAdmin()]
    can_read_org = [MemberOf(), PlatformAdmin()]


analytics_policy = AnalyticsPolicy()


def require(action: str, identity, obj=None) -> None:
    """Raise PermissionDenied unless AnalyticsPolicy allows ``action`` (every analytics service asks here)."""
    analytics_policy.require(action, identity, obj, message=f"analytics: {action} refused")
