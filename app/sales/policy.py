"""Who may put a patent up for public sale and who sees a sale."""
from __future__ import annotations

from sqlalchemy import true

from app.core.permissions import Generator, OwnerOrg, PlatformAdmin, Policy
from app.sales.models import SaleStatus


class PublicSale(Generator):
    """A published sale is public (anyone, signed in or not, sees its price, terms and anonymised bids)."""

    def allows(self, identity, obj) -> bool:
        return obj.status != SaleStatus.draft

    def sql_filter(self, identity, model):
        return model.status != SaleStatus.draft


class SellerOrg(Generator):
    """Members of the selling organisation."""

    def allows(self, identity, obj) -> bool:
        return identity.org_id is not None and identity.org_id == obj.seller_org_id

    def sql_filter(self, identity, model):
        return model.seller_org_id == identity.org_id if identity.org_id is not None else ~true()


class VerifiedOrg(Generator):
    """Members of a verified organisation other than the platform's: who may register interest, bid or buy."""

    def allows(self, identity, obj) -> bool:
        return identity.org_id is not None and identity.org_verified and identity.org_kind != "platform"


class SalePolicy(Policy):
    """``create`` is asked of the patent (its owner organisation's admins), the others of the sale. Platform
    admins act on every sale as its ``admin`` party; verified organisations that may see a sale take part."""

    can_create = [OwnerOrg(admin_only=True)]
    can_read = [PublicSale(), SellerOrg(), PlatformAdmin()]
    can_administer = [PlatformAdmin()]
    can_take_part = [VerifiedOrg()]
    can_read_objections = [SellerOrg(), PlatformAdmin()]
    can_list_objections = [PlatformAdmin()]


sale_policy = SalePolicy()
