"""How a public sale hands over to the deal workflow: the deal it opens and the winner's deposit it credits."""
from __future__ import annotations

from decimal import Decimal

from app.core.identity import Identity
from app.deals.models import Deal
from app.deals.service import deals_service
from app.payments import service as payments
from app.sales.models import SaleKind

# The cooperation mode of the deal each kind of sale opens (it selects the contract type and the platform fee).
DEAL_MODES = {SaleKind.listing: "assignment", SaleKind.auction: "assignment",
              SaleKind.open_licence: "non_exclusive_licence"}
DEPOSIT_CREDIT = "竞买保证金（拍卖成交时已转付卖方，抵作价款）"


def credit_deposit(winner, ctx) -> Decimal:
    """The winner's held deposit goes to the seller as part of the price; returns it (CNY)."""
    payment = payments.payment_of(winner)
    payments.release(Identity.system(), winner, uow=ctx.uow)
    return Decimal(payment.amount) / 100


def open_deal(sale, buyer_org_id: int, amount: Decimal, *, credited: Decimal | None = None, uow) -> Deal:
    """Open the deal of a sale's buyer at ``amount`` (less a deposit already ``credited``), its terms fixed.

    A 挂牌 or auction deal continues at ``agreed`` (contract, signatures, approval, payment); an open-licence
    deal is on the published standard terms and goes straight to payment.
    """
    terms = {**{k: v for k, v in sale.terms.items() if v is not None}, "mode": DEAL_MODES[sale.kind],
             "upfront_fee": f"{amount - (credited or 0):.2f}",
             "milestones": [{"title": DEPOSIT_CREDIT, "amount": f"{credited:.2f}"}] if credited else []}
    deal = Deal(title=sale.title, buyer_org_id=buyer_org_id, seller_org_id=sale.seller_org_id, patents=[sale.patent])
    deals_service.record_creation(Identity.system(), deal, {"sale_id": sale.id, "kind": sale.kind.value}, uow=uow)
    deals_service.execute_action(Identity.system(), deal.id, "conclude_sale",
                                 {"sale_id": sale.id, "terms": terms,
                                  "standard_terms": sale.kind == SaleKind.open_licence}, uow=uow)
    if sale.kind != SaleKind.open_licence:
        sale.deal_id, sale.buyer_org_id = deal.id, buyer_org_id
    return deal
