"""Who may do what with a service offer (中试 / 检验检测)."""
from __future__ import annotations

from app.listings.policy import ListingPolicy, PublishedListing


class ServiceOfferPolicy(ListingPolicy):
    """Service providers offer pilot-scale and inspection services."""

    creator_kinds = ("service_provider",)
    # What a deal may book and a customer may order: published offers only, even for their owner or an admin.
    can_book = [PublishedListing()]
