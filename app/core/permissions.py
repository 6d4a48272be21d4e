"""One permission policy per resource answers both "may this identity act on this object" and
"which rows / search documents may this identity find".

A policy lists, per action, *generators* (in the manner of Invenio's permission policies). Each
generator answers three questions consistently: ``allows(identity, obj)`` for one object,
``sql_filter(identity, model)`` for database queries and ``search_filter(identity)`` for the search
engine. An action is allowed when any of its generators allows it.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import and_, false, or_, true

from search.query import And, MatchAll, Or, Range, Term

from app.listings.models import ListingStatus, Visibility


class Generator:
    """One reason an identity may act; the default grants nothing."""

    def allows(self, identity, obj) -> bool:
        return False

    def sql_filter(self, identity, model):
        return false()

    def search_filter(self, identity):
        return None


class PlatformAdmin(Generator):
    """Platform admins (and the system identity) may act on everything."""

    def allows(self, identity, obj) -> bool:
        return identity.is_platform_admin

    def sql_filter(self, identity, model):
        return true() if identity.is_platform_admin else false()

    def search_filter(self, identity):
        return MatchAll() if identity.is_platform_admin else None


class OwnerOrg(Generator):
    """Members of the organisation that owns the object; ``admin_only`` narrows it to org admins."""

    def __init__(self, admin_only: bool = False):
        self.admin_only = admin_only

    def _applies(self, identity) -> bool:
        return identity.org_id is not None and (identity.is_org_admin or not self.admin_only)

    def allows(self, identity, obj) -> bool:
        return self._applies(identity) and obj.org_id == identity.org_id

    def sql_filter(self, identity, model):
        return model.org_id == identity.org_id if self._applies(identity) else false()

    def search_filter(self, identity):
        return Term("org_id", [identity.org_id]) if self._applies(identity) else None


class PublishedListing(Generator):
    """Approved listings within their visibility; with ``expires``, only until their validity date.

    ``members`` visibility means logged-in users of verified organisations.
    """

    def __init__(self, expires: bool = False):
        self.expires = expires

    @staticmethod
    def _visibilities(identity) -> list[str]:
        if identity.is_authenticated and identity.org_verified:
            return [Visibility.public.value, Visibility.members.value]
        return [Visibility.public.value]

    def allows(self, identity, obj) -> bool:
        if obj.status != ListingStatus.approved:
            return False
        if getattr(obj, "visibility", Visibility.public).value not in self._visibilities(identity):
            return False
        return not self.expires or obj.valid_until >= date.today()

    def sql_filter(self, identity, model):
        clauses = [model.status == ListingStatus.approved]
        if hasattr(model, "visibility"):
            clauses.append(model.visibility.in_([Visibility(v) for v in self._visibilities(identity)]))
        if self.expires:
            clauses.append(model.valid_until >= date.today())
        return and_(*clauses)

    def search_filter(self, identity):
        clauses = [Term("status", [ListingStatus.approved.value]), Term("visibility", self._visibilities(identity))]
        if self.expires:
            clauses.append(Range("valid_until", gte=date.today().isoformat()))
        return And(*clauses)


class AuthenticatedOrgKind(Generator):
    """Any logged-in member of an organisation of one of ``kinds`` (used for "may create")."""

    def __init__(self, *kinds: str):
        self.kinds = set(kinds)

    def allows(self, identity, obj=None) -> bool:
        return identity.org_id is not None and identity.org_kind in self.kinds


class NdaParty(Generator):
    """Organisations that accepted an NDA in a deal on the patent (its confidential fields unlock for them).

    Object checks only: confidential fields never reach the search index, so no search or SQL filter is needed.
    """

    def allows(self, identity, obj) -> bool:
        from app.deals.service import nda_signed_between  # deals build on listings: import at call time

        return identity.org_id is not None and nda_signed_between(identity.org_id, obj.id)


class Policy:
    """Maps action names to generator lists; subclasses declare ``can_<action>`` attributes."""

    def generators(self, action: str) -> list[Generator]:
        return getattr(self, f"can_{action}")

    def allows(self, action: str, identity, obj=None) -> bool:
        """True when any generator of ``action`` allows ``identity`` on ``obj``."""
        return any(g.allows(identity, obj) for g in self.generators(action))

    def sql_filter(self, action: str, identity, model):
        """A WHERE clause selecting the rows of ``model`` ``identity`` may ``action``."""
        return or_(*[g.sql_filter(identity, model) for g in self.generators(action)])

    def search_filter(self, action: str, identity):
        """A search filter selecting the documents ``identity`` may ``action`` (never None)."""
        parts = [f for f in (g.search_filter(identity) for g in self.generators(action)) if f is not None]
        if not parts:
            return Term("id", [])  # matches nothing
        return parts[0] if len(parts) == 1 else Or(*parts)


class ListingPolicy(Policy):
    """Who may do what with a listing (patent, demand, service offer)."""

    creator_kinds: tuple[str, ...] = ()

    can_read = [PublishedListing(), OwnerOrg(), PlatformAdmin()]
    can_read_confidential = [OwnerOrg(), PlatformAdmin()]
    can_update = [OwnerOrg()]
    can_submit = [OwnerOrg()]
    can_withdraw = [OwnerOrg()]
    can_delete = [OwnerOrg(admin_only=True)]
    can_moderate = [PlatformAdmin()]

    @property
    def can_create(self):
        return [AuthenticatedOrgKind(*self.creator_kinds)]


class PatentPolicy(ListingPolicy):
    creator_kinds = ("university", "institute")
    can_read_confidential = [OwnerOrg(), PlatformAdmin(), NdaParty()]


class DemandPolicy(ListingPolicy):
    creator_kinds = ("enterprise",)
    can_read = [PublishedListing(expires=True), OwnerOrg(), PlatformAdmin()]


class ServiceOfferPolicy(ListingPolicy):
    creator_kinds = ("service_provider",)


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
