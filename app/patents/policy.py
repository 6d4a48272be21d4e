"""Who may do what with a patent: a listing whose confidential fields also unlock for NDA parties."""
from __future__ import annotations

from app.core.permissions import Generator, OwnerOrg, PlatformAdmin
from app.listings.policy import ListingPolicy


class NdaParty(Generator):
    """Organisations that accepted an NDA in a deal on the patent (its confidential fields unlock for them).

    Object checks only: confidential fields never reach the search index, so no search or SQL filter is needed.
    """

    # ``signed_between(org_id, patent_id)``: whether that organisation accepted an NDA on the patent. NDAs are
    # the deals domain's business (deals build on patents), so ``app.deals.init_app`` provides it.
    signed_between = staticmethod(lambda org_id, patent_id: False)

    def allows(self, identity, obj) -> bool:
        return identity.org_id is not None and NdaParty.signed_between(identity.org_id, obj.id)


class PatentPolicy(ListingPolicy):
    """Universities and institutes list patents; NDA parties read the confidential fields."""

    creator_kinds = ("university", "institute")
    can_read_confidential = [OwnerOrg(), PlatformAdmin(), NdaParty()]
