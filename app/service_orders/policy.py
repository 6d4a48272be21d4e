"""Who may order a service; everything after that is the workflow's party check (``role_of``)."""
from __future__ import annotations

from app.core.permissions import OrgMember, Policy
from app.core.workflow import ADMIN, BUYER, SELLER, SYSTEM, Party


class ServiceOrderPolicy(Policy):
    """Organisations (not the platform) order services."""

    can_open = [OrgMember(excluding=("platform",))]
    can_read = [Party(BUYER, SELLER, ADMIN, SYSTEM)]  # what ``WorkflowService.get`` lets see (404 otherwise)


service_order_policy = ServiceOrderPolicy()
