"""Demo market history for the dashboards (``flask seed-demo``): completed deals with their payments in the
ledger, deals at earlier stages, completed 中试 / 检验检测 orders and two incubated firms, spread over the last
eighteen months, so every chart has something to show.

Everything is labelled as demo: the organisations are demo organisations and every title starts with
``DEMO_MARK``. The rows are written directly (the history is invented, with chosen dates); each money movement is
a balanced ledger transaction, as the payments package writes them. Safe to run again: nothing is added when the
demo deals exist.
"""
from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from app.analytics.models import OrgIncubation
from app.core.formatting import local_today
from app.core.uow import unit_of_work
from app.deals.models import Deal, DealOffer, DealStatus
from app.listings.models import ListingStatus
from app.orgs.models import Organisation, OrgKind
from app.patents.models import Patent
from app.payments.models import LedgerAccount, LedgerEntry, LedgerTransaction, Payment, PaymentStatus
from app.service_offers.models import ServiceOffer
from app.service_orders.models import OrderStatus, ServiceOrder

DEMO_MARK = "（演示数据）"
MODES = ["assignment", "exclusive_licence", "non_exclusive_licence", "development", "development", "equity"]
FEE_RATE = Decimal("0.03")  # what the demo payments show as the platform's share


def _at(day: date, rng: random.Random) -> datetime:
    return datetime(day.year, day.month, day.day, rng.randint(1, 10), rng.randint(0, 59), tzinfo=UTC)


def _ledger(session, kind: str, payment: Payment, legs: list[tuple], when: datetime) -> None:
    txn = LedgerTransaction(kind=kind, payment_id=payment.id, currency="cny", created_at=when, memo="demo")
    session.add(txn)
    session.flush()
    session.add_all([LedgerEntry(transaction_id=txn.id, account=a, org_id=o, amount=n) for a, o, n in legs])


def _pay(session, payable, kind: str, mode: str, yuan: Decimal, paid: datetime, released: datetime | None,
         n: int) -> None:
    """A test-provider payment of ``yuan`` (plus the fee), held on ``paid`` and released on ``released``."""
    amount = int(yuan * 100)
    fee = int(yuan * FEE_RATE * 100)
    payment = Payment(payable_kind=kind, payable_id=payable.id, buyer_org_id=payable.buyer_org_id,
                      seller_org_id=payable.seller_org_id, mode=mode, amount=amount, fee=fee, currency="cny",
                      provider="test", provider_ref=f"pi_demo_{kind}_{payable.id}", idempotency_key=f"demo-{kind}-{n}",
                      status=PaymentStatus.released if released else PaymentStatus.held, held_at=paid,
                      released_at=released)
    session.add(payment)
    session.flush()
    _ledger(session, "payment", payment, [(LedgerAccount.buyer_cash, payment.buyer_org_id, -(amount + fee)),
                                          (LedgerAccount.platform_escrow, None, amount + fee)], paid)
    if released:
        _ledger(session, "release", payment, [(LedgerAccount.platform_escrow, None, -(amount + fee)),
                                              (LedgerAccount.seller_payable, payment.seller_org_id, amount),
                                              (LedgerAccount.platform_fee, None, fee)], released)


def _deal(session, rng: random.Random, patent: Patent, buyer: Organisation, opened: date, stage: int, n: int):
    """A deal opened on ``opened`` that got as far as ``stage`` (0 inquiry … 4 completed)."""
    mode = rng.choice(MODES)
    fee = Decimal(rng.choice([5, 8, 12, 20, 30, 50, 80, 120, 200])) * 10000
    terms = {"mode": mode, "upfront_fee": f"{fee:.2f}", "territory": "中国大陆", "field_of_use": "全部领域",
             "term_months": 60 if "licence" in mode else None, "royalty_rate": None, "milestones": [],
             "conditions": None}
    day = opened
    moments = {}
    for key, gap in (("nda", (1, 6)), ("offer", (2, 10)), ("approved", (7, 30)), ("completed", (5, 25)))[:stage]:
        day = day + timedelta(days=rng.randint(*gap))
        moments[key] = _at(day, rng)
    status = [DealStatus.inquiry, DealStatus.negotiation, DealStatus.agreed, DealStatus.paid,
              DealStatus.completed][stage]
    deal = Deal(title=f"{DEMO_MARK}{patent.title}"[:300], buyer_org_id=buyer.id, seller_org_id=patent.org_id,
                status=status, created_at=_at(opened, rng), terms=terms if stage >= 2 else None,
                nda_signed_at=moments.get("nda") if rng.random() < 0.7 else None,
                approved_at=moments.get("approved"), completed_at=moments.get("completed"),
                delivered_at=moments.get("completed"), patents=[patent])
    session.add(deal)
    session.flush()
    if "offer" in moments:
        session.add(DealOffer(deal_id=deal.id, made_by="buyer", terms=terms, created_at=moments["offer"]))
    if "approved" in moments:
        paid = moments["approved"] + timedelta(days=rng.randint(1, 4))
        _pay(session, deal, "deal", mode, fee, paid, moments.get("completed"), n)


def _order(session, rng: random.Random, offer: ServiceOffer, buyer: Organisation, opened: date, n: int):
    quote = Decimal(rng.choice([8, 15, 30, 60])) * 1000 if offer.kind.value == "inspection" else \
        Decimal(rng.choice([10, 20, 35, 50])) * 10000
    completed = opened + timedelta(days=rng.randint(3, 12) if offer.kind.value == "inspection" else rng.randint(20, 60))
    order = ServiceOrder(offer_id=offer.id, title=f"{DEMO_MARK}{offer.title}"[:300], buyer_org_id=buyer.id,
                         seller_org_id=offer.org_id, request_text="演示订单：请报价并安排检测/中试。",
                         status=OrderStatus.completed, quote_amount=quote, quote_lead_time_days=14,
                         created_at=_at(opened, rng), completed_at=_at(completed, rng))
    session.add(order)
    session.flush()
    _pay(session, order, "service_order", "service_order", quote, _at(opened + timedelta(days=2), rng),
         order.completed_at, n)


@unit_of_work
def seed_market(today: date | None = None, *, uow) -> int:
    """Add the demo market history once; returns the number of deals and orders added (0 when present)."""
    session = uow.session
    if session.scalar(select(Deal.id).where(Deal.title.startswith(DEMO_MARK)).limit(1)) is not None:
        return 0
    rng = random.Random(13)
    today = today or local_today()
    patents = session.scalars(select(Patent).join(Organisation, Organisation.id == Patent.org_id).where(
        Organisation.is_demo.is_(True), Patent.status == ListingStatus.approved).order_by(Patent.id)).all()
    buyers = session.scalars(select(Organisation).where(Organisation.is_demo.is_(True),
                                                        Organisation.kind == OrgKind.enterprise)
                             .order_by(Organisation.id)).all()
    offers = session.scalars(select(ServiceOffer).join(Organisation, Organisation.id == ServiceOffer.org_id).where(
        Organisation.is_demo.is_(True), ServiceOffer.status == ListingStatus.approved).order_by(ServiceOffer.id)).all()
    if not patents or not buyers:
        return 0
    added = 0
    for n in range(60):
        opened = today - timedelta(days=rng.randint(20, 540))
        # Most deals stop early, as in a real funnel: a third go as far as a contract, a fifth complete.
        stage = rng.choices([0, 1, 2, 3, 4], weights=[30, 25, 15, 10, 20])[0]
        _deal(session, rng, rng.choice(patents), rng.choice(buyers), opened, stage, n)
        added += 1
    for n in range(24 if offers else 0):
        _order(session, rng, rng.choice(offers), rng.choice(buyers), today - timedelta(days=rng.randint(70, 520)), n)
        added += 1
    for buyer, months in zip(buyers[:2], (14, 5), strict=False):
        if session.get(OrgIncubation, buyer.id) is None:
            session.add(OrgIncubation(org_id=buyer.id, incubated_on=today - timedelta(days=30 * months),
                                      note="演示数据"))
    for patent in patents[:40]:
        patent.view_count = max(patent.view_count, rng.randint(20, 400))
    return added
