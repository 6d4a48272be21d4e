"""Who may do what with a technology demand: published ones only until their validity date."""
from __future__ import annotations

from app.core.permissions import OwnerOrg, PlatformAdmin
from app.listings.policy import ListingPolicy, PublishedListing


class DemandPolicy(ListingPolicy):
    """Enterprises post demands; a published demand is found until its validity date."""

    creator_kinds = ("enterprise",)
    can_read = [PublishedListing(expires=True), OwnerOrg(), PlatformAdmin()]
