"""Who may import and export an organisation's listings, and who may publish while importing."""
from __future__ import annotations

from dataclasses import dataclass

from app.core.permissions import Generator, PlatformAdmin, Policy
from app.listings.registry import listing_services


@dataclass(frozen=True)
class Portfolio:
    """An organisation's listings as a whole (of one ``resource``, or of any when None): what an import or
    export acts on."""

    org_id: int | None
    resource: str | None = None


class OwnPortfolio(Generator):
    """Members of the portfolio's organisation whose organisation may post the resource."""

    def allows(self, identity, obj) -> bool:
        if identity.org_id is None or obj.org_id != identity.org_id:
            return False
        return obj.resource is None or listing_services()[obj.resource].policy.allows("create", identity)


class PortfolioPolicy(Policy):
    """Organisations import and export their own listings; platform admins (and the system) any organisation's,
    and only they publish while importing."""

    can_transfer = [OwnPortfolio(), PlatformAdmin()]
    can_publish = [PlatformAdmin()]


portfolio_policy = PortfolioPolicy()
