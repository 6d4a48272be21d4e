"""Concurrency on PostgreSQL: 50 threads, each with its own app context, session and connection, bid on one
auction in its last second. The sale's row lock orders them: accepted bids strictly increase in the order they
were placed, the highest bid wins, the end extends by the anti-sniping window for exactly the bids placed within
the window of the end as it then stood, and after the close every deposit balances to the fen in the ledger.

The test commits for real (threads cannot share the rolled-back test transaction) and deletes what it made.
"""
from __future__ import annotations

import os
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import delete, select

from app.accounts.models import Role, User
from app.core.errors import ValidationFailed
from app.core.extensions import db
from app.core.identity import Identity
from app.core.models import utcnow
from app.deals.models import Deal, DealEvent, deal_patents
from app.listings.models import ListingStatus
from app.notifications.models import Notification
from app.orgs.models import Organisation, OrgKind, VerificationStatus
from app.patents.models import Patent
from app.payments import ledger
from app.payments import service as payments
from app.payments.models import (
    LedgerEntry,
    LedgerTransaction,
    Payment,
    PaymentEvent,
    PaymentRefund,
    Payout,
    ProviderCall,
)
from app.sales.models import Sale, SaleBid, SaleEvent, SaleParticipant
from app.sales.service import sales_service
from tests.factories import _HASH

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="row-lock concurrency needs PostgreSQL (CI runs it there)",
)
THREADS = 50
BIDDERS = 5
PRICE, INCREMENT, DEPOSIT = Decimal("100000.00"), Decimal("1000.00"), Decimal("20000.00")
SELLER_NAME = "并发拍卖大学"
BIDDER_NAMES = tuple(f"并发竞买企业{i}" for i in range(BIDDERS))


@pytest.fixture(autouse=True)
def every_sale_replays():
    """Replaces the package's check (which needs the rolled-back session); the test replays itself."""
    yield


def remove_everything(app) -> None:
    """Delete what the test commits (also what an interrupted earlier run left)."""
    with app.app_context():
        orgs = db.session.scalars(select(Organisation.id).where(
            Organisation.name.in_((SELLER_NAME, *BIDDER_NAMES)))).all()
        users = select(User.id).where(User.org_id.in_(orgs))
        sales = select(Sale.id).where(Sale.seller_org_id.in_(orgs))
        deals = select(Deal.id).where(Deal.seller_org_id.in_(orgs))
        payment_ids = select(Payment.id).where(Payment.seller_org_id.in_(orgs))
        transactions = select(LedgerTransaction.id).where(LedgerTransaction.payment_id.in_(payment_ids))
        db.session.execute(Sale.__table__.update().where(Sale.id.in_(sales)).values(deal_id=None))
        for statement in (
            delete(Notification).where(Notification.user_id.in_(users)),
            delete(LedgerEntry).where(LedgerEntry.transaction_id.in_(transactions)),
            delete(LedgerTransaction).where(LedgerTransaction.id.in_(transactions)),
            delete(ProviderCall).where(ProviderCall.payment_id.in_(payment_ids)),
            delete(PaymentRefund).where(PaymentRefund.payment_id.in_(payment_ids)),
            delete(Payout).where(Payout.payment_id.in_(payment_ids)),
            delete(PaymentEvent).where(PaymentEvent.payment_id.in_(payment_ids)),
            delete(Payment).where(Payment.id.in_(payment_ids)),
            delete(SaleBid).where(SaleBid.sale_id.in_(sales)),
            delete(SaleEvent).where(SaleEvent.sale_id.in_(sales)),
            delete(SaleParticipant).where(SaleParticipant.sale_id.in_(sales)),
            delete(Sale).where(Sale.id.in_(sales)),
            delete(DealEvent).where(DealEvent.deal_id.in_(deals)),
            delete(deal_patents).where(deal_patents.c.deal_id.in_(deals)),
            delete(Deal).where(Deal.id.in_(deals)),
            delete(Patent).where(Patent.org_id.in_(orgs)),
            delete(User).where(User.org_id.in_(orgs)),
            delete(Organisation).where(Organisation.id.in_(orgs)),
        ):
            db.session.execute(statement)
        db.session.commit()
        db.session.remove()


@pytest.fixture
def committed_auction(app):
    """An auction with five registered bidders whose deposits are held, committed; deleted afterwards."""
    remove_everything(app)
    with app.app_context():
        seller_org = Organisation(name=SELLER_NAME, kind=OrgKind.university,
                                  verification_status=VerificationStatus.verified)
        seller = User(email="seller@auction.test", display_name="卖方", password_hash=_HASH, organisation=seller_org,
                      role=Role.org_admin)
        patent = Patent(organisation=seller_org, title="一种拍卖并发控制方法", abstract="用于测试的专利摘要。",
                        status=ListingStatus.approved)
        bidders = []
        for i, name in enumerate(BIDDER_NAMES):
            org = Organisation(name=name, kind=OrgKind.enterprise, verification_status=VerificationStatus.verified)
            bidders.append(User(email=f"bidder{i}@auction.test", display_name=f"竞买{i}", password_hash=_HASH,
                                organisation=org, role=Role.org_admin))
        db.session.add_all([seller_org, seller, patent, *bidders])
        db.session.commit()
        sale = sales_service.create(Identity.of(seller), {
            "kind": "auction", "patent_id": patent.id, "price": str(PRICE), "increment": str(INCREMENT),
            "deposit": str(DEPOSIT), "reserve_price": "110000.00", "ends_at": (utcnow() + timedelta(days=1)).isoformat()})
        identities = [Identity.of(user) for user in bidders]
        for identity in identities:
            sales_service.execute_action(identity, sale.id, "register_bidder", {})
            participant = db.session.scalar(select(SaleParticipant).where(
                SaleParticipant.sale_id == sale.id, SaleParticipant.org_id == identity.org_id))
            payments.confirm_test_payment(identity, payments.payment_of(participant).id)
        sale_id, seller_org_id = sale.id, seller_org.id
        db.session.remove()
    try:
        yield sale_id, seller_org_id, identities
    finally:
        remove_everything(app)


def test_fifty_bids_in_the_last_second(app, committed_auction):
    sale_id, seller_org_id, identities = committed_auction
    window = timedelta(minutes=app.config.get("AUCTION_EXTENSION_MINUTES", 5))
    amounts = [PRICE + INCREMENT * i for i in range(THREADS)]
    barrier = threading.Barrier(THREADS + 1)
    outcomes: list[str] = [""] * THREADS

    def worker(index):
        with app.app_context():
            barrier.wait()
            try:
                sales_service.execute_action(identities[index % BIDDERS], sale_id, "place_bid",
                                             {"amount": str(amounts[index])})
                outcomes[index] = "ok"
            except ValidationFailed:
                outcomes[index] = "too low"
            except Exception as error:  # noqa: BLE001 - reported in the assertion below
                outcomes[index] = f"error: {error!r}"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    with app.app_context():
        sale = db.session.get(Sale, sale_id)
        sale.ends_at = original_end = utcnow() + timedelta(seconds=1)  # the auction's last second
        db.session.commit()
        db.session.remove()
    barrier.wait()
    for thread in threads:
        thread.join(timeout=120)

    assert set(outcomes) <= {"ok", "too low"}, outcomes
    assert outcomes[-1] == "ok"  # the highest bid is always valid: nothing can be above it
    with app.app_context():
        sale = db.session.get(Sale, sale_id)
        bids = db.session.scalars(select(SaleBid).where(SaleBid.sale_id == sale_id).order_by(SaleBid.id)).all()
        assert len(bids) == outcomes.count("ok")
        # Totally ordered: each accepted bid is at least the increment above the one placed before it.
        assert all(later.amount >= earlier.amount + INCREMENT for earlier, later in zip(bids, bids[1:], strict=False))
        assert sale.current_price == amounts[-1] and sale.leading_bid_id == bids[-1].id
        # Anti-sniping, replayed from the bids' own times: each bid placed with less than the window left
        # extended the end by the window (the first did: it came in the last second), and no other bid did.
        end = original_end
        for bid in bids:
            if end - bid.created_at < window:
                end += window
                assert bid.extended_to == end
            else:
                assert bid.extended_to is None
        assert bids[0].extended_to == original_end + window and sale.ends_at == end
        events = sales_service.events_of(sale)
        assert [e.payload["amount"] for e in events if e.action == "place_bid"] == [str(b.amount) for b in bids]
        assert sales_service.replay(sale) == "bidding"

        sale.ends_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        assert sales_service.close_due() == [sale_id]
        sale = db.session.get(Sale, sale_id)
        assert sale.status.value == "sold" and sale.buyer_org_id == identities[(THREADS - 1) % BIDDERS].org_id
        deposit = int(DEPOSIT * 100)
        for participant in sale.participants:
            payment = payments.payment_of(participant)
            assert ledger.escrow_held(payment.id) == 0
            won = participant.org_id == sale.buyer_org_id
            assert payment.status.value == ("released" if won else "refunded")
            assert payments.balances(org_id=participant.org_id)["buyer_cash"] == (-deposit if won else 0)
        assert payments.balances(org_id=seller_org_id)["seller_payable"] == deposit
        assert ledger.unbalanced_transactions() == []
        deal = db.session.get(Deal, sale.deal_id)
        assert deal.terms["upfront_fee"] == f"{amounts[-1] - DEPOSIT:.2f}"
        db.session.remove()
