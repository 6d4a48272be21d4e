"""Who may see an organisation's private details, manage its members, ask for and decide its verification."""
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
    """Who may do what with an organisation: its people see its members and private details (credit code,
    verification note), its admins manage members and ask for verification; platform admins list
    organisations and decide verification."""

    can_read_private = [MemberOf(), PlatformAdmin()]
    can_read_members = [MemberOf(), PlatformAdmin()]
    can_manage_members = [MemberOf(admin_only=True), PlatformAdmin()]
    can_request_verification = [MemberOf(admin_only=True)]
    can_verify = [PlatformAdmin()]
    can_list = [PlatformAdmin()]


org_policy = OrganisationPolicy()
