"""Concurrency on PostgreSQL: 50 threads, each with its own app context, session and connection, bid on one
auction in its last second. The sale's row lock orders them: accepted bids strictly increase in the order they
were placed, the highest bid wins, the end extends by the anti-sniping window for exactly the bids placed within
the window of the end as it then stood, and after the close every deposit balances to the fen in the ledger.

The test commits for real (``tests.concurrency``).
"""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from functools import partial

import pytest
from sqlalchemy import select

from app.accounts.models import Role, User
from app.core.errors import ValidationFailed
from app.core.extensions import db
from app.core.identity import Identity
from app.core.models import utcnow
from app.deals.models import Deal
from app.listings.models import ListingStatus
from app.orgs.models import Organisation, OrgKind, VerificationStatus
from app.patents.models import Patent
from app.payments import ledger
from app.payments import service as payments
from app.sales.models import Sale, SaleBid, SaleParticipant
from app.sales.service import sales_service
from tests.concurrency import postgres_only, run_at_once
from tests.factories import _HASH

pytestmark = postgres_only
THREADS = 50
BIDDERS = 5
PRICE, INCREMENT, DEPOSIT = Decimal("100000.00"), Decimal("1000.00"), Decimal("20000.00")
SELLER_NAME = "并发拍卖大学"
BIDDER_NAMES = tuple(f"并发竞买企业{i}" for i in range(BIDDERS))


@pytest.fixture(autouse=True)
def every_sale_replays():
    """Replaces the package's check (which needs the rolled-back session); the test replays itself."""
    yield


@pytest.fixture
def committed_auction(app, committed_rows):
    """An auction with five registered bidders whose deposits are held, committed (emptied afterwards)."""
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
    return sale_id, seller_org_id, identities


def test_fifty_bids_in_the_last_second(app, committed_auction):
    sale_id, seller_org_id, identities = committed_auction
    window = timedelta(minutes=app.config.get("AUCTION_EXTENSION_MINUTES", 5))
    amounts = [PRICE + INCREMENT * i for i in range(THREADS)]
    bids = [partial(sales_service.execute_action, identities[index % BIDDERS], sale_id, "place_bid",
                    {"amount": str(amount)}) for index, amount in enumerate(amounts)]
    original_end = utcnow() + timedelta(seconds=1)

    def last_second() -> None:
        with app.app_context():
            db.session.get(Sale, sale_id).ends_at = original_end  # the auction's last second
            db.session.commit()
            db.session.remove()

    outcomes = run_at_once(app, bids, refusals=(ValidationFailed,), before_release=last_second)
    assert set(outcomes) <= {"ok", "ValidationFailed"}, outcomes  # a bid overtaken is too low
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
