"""Who may open deals, read a deal's thread and confidential patent data, and work the admins' desk.

Everything else a party may do with a deal is the workflow's party check (``role_of``, :class:`Party`):
each action names the roles that may take it.
"""
from __future__ import annotations

from app.core.permissions import Generator, OrgMember, PlatformAdmin, Policy
from app.core.workflow import ADMIN, BUYER, SELLER, SYSTEM, Party


class BuyerUnderNda(Generator):
    """The buyer's people once the deal's NDA is in force."""

    def allows(self, identity, obj) -> bool:
        return obj.nda_signed_at is not None and Party(BUYER).allows(identity, obj)


class DealPolicy(Policy):
    """Organisations (not the platform) open deals; the parties and platform admins talk in the thread; the
    seller, admins and the system always, the buyer after the NDA, see confidential patent data; platform
    admins work the desk (contracts to approve, disputes, payouts)."""

    can_open = [OrgMember(excluding=("platform",))]
    can_read = [Party(BUYER, SELLER, ADMIN, SYSTEM)]  # what ``WorkflowService.get`` lets see (404 otherwise)
    can_read_thread = [Party(BUYER, SELLER, ADMIN)]
    can_read_confidential = [Party(SELLER, ADMIN, SYSTEM), BuyerUnderNda()]
    can_use_desk = [PlatformAdmin()]


deal_policy = DealPolicy()
