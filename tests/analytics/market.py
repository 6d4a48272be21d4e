"""A small market in 2025 whose figures the tests compute by hand (see the comments beside each row).

Rows are written directly (not through the workflows) so every date is chosen: the dashboard reads dates and
amounts, and the workflows that write them are tested in their own packages.
"""
from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from decimal import Decimal

from app.analytics.models import OrgIncubation
from app.core.extensions import db
from app.deals.models import Deal, DealOffer, DealStatus
from app.matching.models import Match
from app.orgs.models import OrgKind, VerificationStatus
from app.patents.models import Patent
from app.payments.models import LedgerAccount, LedgerEntry, LedgerTransaction, Payment, PaymentStatus
from app.service_orders.models import OrderStatus, ServiceOrder
from tests.factories import OrganisationFactory, make_listing

_ref = itertools.count(1)


def at(day: str, hour: int = 12) -> datetime:
    """``YYYY-MM-DD`` at ``hour`` UTC (12:00 UTC is 20:00 China time, the same day)."""
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def _patent(org, title, *, views, industry, ipc, published="2024-12-01"):
    patent = Patent(org_id=org.id, title=title, abstract="摘要", status="approved", view_count=views,
                    industry=industry, ipc_codes=[ipc] if ipc else [], published_at=at(published),
                    created_at=at("2024-06-01"))
    db.session.add(patent)
    return patent


def _deal(seller, buyer, patent, *, opened, status, mode="assignment", fee="0", nda=None, offer=None,
          approved=None, completed=None, match=None):
    deal = Deal(title=patent.title, seller_org_id=seller.id, buyer_org_id=buyer.id, status=status,
                terms={"mode": mode, "upfront_fee": fee, "territory": "中国", "field_of_use": "全部"},
                created_at=at(opened), nda_signed_at=nda and at(nda), approved_at=approved and at(approved),
                completed_at=completed and at(completed), match_id=match and match.id, patents=[patent])
    db.session.add(deal)
    db.session.flush()
    if offer:
        db.session.add(DealOffer(deal_id=deal.id, made_by="buyer", terms=deal.terms, created_at=at(offer)))
    return deal


def _order(offer, buyer, *, opened, completed, quote):
    order = ServiceOrder(offer_id=offer.id, title=offer.title, buyer_org_id=buyer.id, seller_org_id=offer.org_id,
                         request_text="请报价", status=OrderStatus.completed, quote_amount=Decimal(quote),
                         created_at=at(opened), completed_at=at(completed))
    db.session.add(order)
    return order


def _money(kind, payable, legs, day):
    """A payment (if new) and one ledger transaction of ``legs`` (account, org, fen) on ``day``."""
    txn = LedgerTransaction(kind=kind, payment_id=payable.id, currency="cny", created_at=at(day))
    db.session.add(txn)
    db.session.flush()
    db.session.add_all([LedgerEntry(transaction_id=txn.id, account=a, org_id=o, amount=n) for a, o, n in legs])


def _payment(payable, kind, mode, amount, fee):
    n = next(_ref)
    payment = Payment(payable_kind=kind, payable_id=payable.id, buyer_org_id=payable.buyer_org_id,
                      seller_org_id=payable.seller_org_id, mode=mode, amount=amount, fee=fee, currency="cny",
                      provider="test", provider_ref=f"pi_fig_{n}", idempotency_key=f"fig-{n}",
                      status=PaymentStatus.released)
    db.session.add(payment)
    db.session.flush()
    return payment


def _paid(payment, day):
    _money("payment", payment, [(LedgerAccount.buyer_cash, payment.buyer_org_id, -payment.total),
                                (LedgerAccount.platform_escrow, None, payment.total)], day)


def build_market() -> dict:
    """The market; returns its organisations and deals by name."""
    uni = OrganisationFactory(kind=OrgKind.university, name="图表大学", region="北京")
    inst = OrganisationFactory(kind=OrgKind.institute, name="图表研究所", region="上海")
    buyer = OrganisationFactory(kind=OrgKind.enterprise, name="图表制造公司", region="广东")
    owner = OrganisationFactory(kind=OrgKind.enterprise, name="图表专利企业", region="广东",
                                verification_status=VerificationStatus.unverified)
    provider = OrganisationFactory(kind=OrgKind.service_provider, name="图表中试基地", region="江苏")
    p1 = _patent(uni, "固态电解质", views=100, industry="新能源", ipc="H01M 10/0562")
    p2 = _patent(uni, "抗体药物", views=50, industry="生物医药", ipc="A61K 39/395")
    p3 = _patent(inst, "储能变流器", views=30, industry="新能源", ipc="H02J 3/32")
    _patent(inst, "未成交专利", views=20, industry="新能源", ipc=None)
    _patent(owner, "企业专利", views=0, industry="新能源", ipc="H01M 4/00")
    _patent(uni, "明年上架", views=0, industry="新能源", ipc="H01M 4/00", published="2026-02-01")
    db.session.flush()
    matches = [Match(source_resource="demands", source_id=1, target_resource="patents", target_id=1000 + i,
                     score=0.5, explanation={}, computed_at=at(day))
               for i, day in enumerate(["2025-01-05", "2025-05-20", "2025-08-01", "2024-11-11"])]
    db.session.add_all(matches)
    db.session.flush()
    deals = {
        "d1": _deal(uni, buyer, p1, opened="2025-02-10", nda="2025-02-12", offer="2025-02-15",
                    approved="2025-03-01", completed="2025-03-11", status=DealStatus.completed,
                    mode="assignment", fee="100000.00", match=matches[0]),
        "d2": _deal(uni, buyer, p2, opened="2025-04-01", offer="2025-04-05", approved="2025-04-25",
                    status=DealStatus.awaiting_payment, mode="development", fee="50000.00"),
        "d3": _deal(inst, buyer, p3, opened="2025-05-01", nda="2025-05-03", offer="2025-05-07",
                    approved="2025-05-31", completed="2025-06-10", status=DealStatus.completed,
                    mode="non_exclusive_licence", fee="20000.00"),
        "d4": _deal(uni, buyer, p1, opened="2025-06-01", status=DealStatus.inquiry, match=matches[1]),
        # Opened in 2024, approved on 31 January 20:00 UTC = 1 February China time: a February contract.
        "d5": _deal(uni, buyer, p2, opened="2024-12-20", approved="2025-01-31", status=DealStatus.paid,
                    mode="development", fee="30000.00"),
        "d6": _deal(uni, buyer, p1, opened="2026-01-05", approved="2026-01-20", status=DealStatus.paid,
                    mode="assignment", fee="999.00"),
    }
    deals["d5"].approved_at = at("2025-01-31", hour=20)
    pilot = make_listing("services", provider, kind="pilot", title="中试线")
    lab = make_listing("services", provider, kind="inspection", title="检测实验室")
    orders = [_order(pilot, buyer, opened="2025-07-01", completed="2025-07-11", quote="8000.00"),
              _order(lab, buyer, opened="2025-08-01", completed="2025-08-04", quote="2000.00"),
              _order(lab, buyer, opened="2025-09-01", completed="2025-09-06", quote="3000.00"),
              _order(lab, buyer, opened="2025-12-28", completed="2026-01-02", quote="5000.00")]
    db.session.flush()
    # Money: D1 paid 103,000 (fee included) in March and released to the university; D3 paid 20,600 in June and
    # 600 refunded; S1 paid 8,240 in July; a payment in 2026 is outside the period.
    pay1 = _payment(deals["d1"], "deal", "assignment", 10_000_000, 300_000)
    _paid(pay1, "2025-03-05")
    _money("release", pay1, [(LedgerAccount.platform_escrow, None, -10_300_000),
                             (LedgerAccount.seller_payable, uni.id, 10_000_000),
                             (LedgerAccount.platform_fee, None, 300_000)], "2025-03-11")
    pay3 = _payment(deals["d3"], "deal", "non_exclusive_licence", 2_000_000, 60_000)
    _paid(pay3, "2025-06-01")
    _money("refund", pay3, [(LedgerAccount.platform_escrow, None, -60_000),
                            (LedgerAccount.buyer_cash, buyer.id, 60_000)], "2025-06-20")
    _paid(_payment(orders[0], "service_order", "service_order", 800_000, 24_000), "2025-07-02")
    _paid(_payment(deals["d6"], "deal", "assignment", 99_900, 3_000), "2026-01-21")
    db.session.add_all([OrgIncubation(org_id=buyer.id, incubated_on=date(2025, 3, 1)),
                        OrgIncubation(org_id=provider.id, incubated_on=date(2024, 5, 1)),
                        OrgIncubation(org_id=owner.id, incubated_on=date(2026, 1, 1))])
    db.session.flush()
    return {"uni": uni, "inst": inst, "buyer": buyer, "owner": owner, "provider": provider, **deals}
