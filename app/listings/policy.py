"""Who may do what with a listing (patent, demand, service offer), and which rows and documents they find."""
from __future__ import annotations

from sqlalchemy import and_

from app.core.formatting import local_today
from app.core.permissions import AuthenticatedOrgKind, Generator, OwnerOrg, PlatformAdmin, Policy, System
from app.listings.models import ListingStatus, Visibility
from search.query import And, Range, Term


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
        return not self.expires or obj.valid_until >= local_today()

    def sql_filter(self, identity, model):
        clauses = [model.status == ListingStatus.approved]
        if hasattr(model, "visibility"):
            clauses.append(model.visibility.in_([Visibility(v) for v in self._visibilities(identity)]))
        if self.expires:
            clauses.append(model.valid_until >= local_today())
        return and_(*clauses)

    def search_filter(self, identity):
        clauses = [Term("status", [ListingStatus.approved.value]), Term("visibility", self._visibilities(identity))]
        if self.expires:
            clauses.append(Range("valid_until", gte=local_today().isoformat()))
        return And(*clauses)


class VerifiedOwner(Generator):
    """The listing's organisation is verified (only verified organisations publish)."""

    def allows(self, identity, obj) -> bool:
        return obj.organisation.is_verified


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
    can_publish = [VerifiedOwner()]
    can_create_for_others = [System()]

    @property
    def can_create(self):
        return [AuthenticatedOrgKind(*self.creator_kinds)]
