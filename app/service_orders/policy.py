"""Who may order a service; everything after that is the workflow's party check (``role_of``)."""
from __future__ import annotations

from app.core.permissions import OrgMember, Policy


class ServiceOrderPolicy(Policy):
    """Organisations (not the platform) order services."""

    can_open = [OrgMember(excluding=("platform",))]


service_order_policy = ServiceOrderPolicy()
