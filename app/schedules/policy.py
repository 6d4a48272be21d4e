"""Permission policies of schedule items and distribution rules, built from the house's generators."""
from __future__ import annotations

from sqlalchemy import false, or_

from app.core.permissions import AuthenticatedOrgKind, Generator, OwnerOrg, PlatformAdmin, Policy


class DealParty(Generator):
    """Members of the buyer or the seller organisation of the object (a deal or a schedule item)."""

    def allows(self, identity, obj) -> bool:
        return identity.org_id is not None and identity.org_id in (obj.buyer_org_id, obj.seller_org_id)

    def sql_filter(self, identity, model):
        if identity.org_id is None:
            return false()
        return or_(model.buyer_org_id == identity.org_id, model.seller_org_id == identity.org_id)


class ScheduleItemPolicy(Policy):
    """The parties and the platform read a deal's schedule; the admin desk watches every schedule. Nobody creates
    items by hand: an approved contract's terms do (in the approval's unit of work)."""

    can_read = [DealParty(), PlatformAdmin()]
    can_watch_all = [PlatformAdmin()]
    can_create: list = []


class DistributionPolicy(Policy):
    """An institution's revenue distribution: its members read rules and statements, its admins set the rules."""

    can_read = [OwnerOrg(), PlatformAdmin()]
    can_manage = [OwnerOrg(admin_only=True)]
    can_create = [AuthenticatedOrgKind("university", "institute")]


schedule_policy = ScheduleItemPolicy()
distribution_policy = DistributionPolicy()
