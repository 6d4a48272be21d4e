"""Who may see and manage an organisation's members."""
from __future__ import annotations

from app.core.permissions import Generator, PlatformAdmin, Policy


class MemberOf(Generator):
    """People of the organisation itself (``obj`` is an :class:`~app.orgs.models.Organisation`);
    ``admin_only`` narrows it to its admins."""

    def __init__(self, admin_only: bool = False):
        self.admin_only = admin_only

    def allows(self, identity, obj) -> bool:
        return identity.org_id == obj.id and (identity.is_org_admin or not self.admin_only)


class OrganisationPolicy(Policy):
    """Who may see and manage an organisation's members: its people see them, its admins and platform admins
    manage them."""

    can_read_members = [MemberOf(), PlatformAdmin()]
    can_manage_members = [MemberOf(admin_only=True), PlatformAdmin()]
