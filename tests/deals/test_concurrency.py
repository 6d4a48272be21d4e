"""Concurrency on PostgreSQL: 50 threads, each with its own app context, session and connection, act on one deal at
once. Conflicting transitions: exactly one wins, the others get 409 and the event log stays a path of the machine.
Compatible transitions (offers): all succeed one after the other, none lost.

These tests commit for real (``tests.concurrency``) and run where row locks exist: PostgreSQL, as in CI.
"""
from __future__ import annotations

from collections import Counter
from functools import partial

import pytest
from sqlalchemy import select

from app.accounts.models import Role, User
from app.core.extensions import db
from app.core.identity import Identity
from app.deals.models import Deal, DealOffer, OfferStatus
from app.deals.service import deals_service
from app.listings.models import ListingStatus
from app.orgs.models import Organisation, OrgKind, VerificationStatus
from app.patents.models import Patent
from tests.concurrency import postgres_only, run_at_once
from tests.deals.conftest import OFFER
from tests.factories import _HASH

pytestmark = postgres_only
THREADS = 50


@pytest.fixture(autouse=True)
def every_deal_replays():
    """Replaces the package's check (which needs the rolled-back session); the tests replay themselves."""
    yield


@pytest.fixture
def committed_deal(app, committed_rows):
    """A deal in negotiation between two real organisations, committed (the database is emptied afterwards)."""
    with app.app_context():
        seller_org = Organisation(name="并发测试大学", kind=OrgKind.university,
                                  verification_status=VerificationStatus.verified)
        buyer_org = Organisation(name="并发测试企业", kind=OrgKind.enterprise,
                                 verification_status=VerificationStatus.verified)
        seller = User(email="seller@concurrency.test", display_name="卖方", password_hash=_HASH,
                      organisation=seller_org, role=Role.org_admin)
        buyer = User(email="buyer@concurrency.test", display_name="买方", password_hash=_HASH,
                     organisation=buyer_org, role=Role.org_admin)
        patent = Patent(organisation=seller_org, title="一种并发控制方法", abstract="用于测试的专利摘要。",
                        status=ListingStatus.approved)
        db.session.add_all([seller_org, buyer_org, seller, buyer, patent])
        db.session.commit()
        identities = {"seller": Identity.of(seller), "buyer": Identity.of(buyer)}
        deal = deals_service.create(identities["buyer"], {"patent_id": patent.id, "message": "并发询价"})
        deals_service.execute_action(identities["seller"], deal.id, "accept", {})
        deal_id = deal.id
        db.session.remove()
    return deal_id, identities


def at_once(app, calls) -> list[str]:
    """Run ``calls`` (identity, deal id, action, data) in one thread each, released together; their outcomes."""
    return run_at_once(app, [partial(deals_service.execute_action, *call) for call in calls])


def test_conflicting_transitions_exactly_one_wins(app, committed_deal):
    deal_id, who = committed_deal
    # Fifty attempts to leave negotiation for good, by both parties: whichever lands first (a cancellation ends
    # the deal, a dispute freezes it) makes every other one impossible.
    choices = [("buyer", "cancel", {"reason": "买方取消"}), ("seller", "cancel", {"reason": "卖方取消"}),
               ("buyer", "dispute", {"reason": "买方争议"}), ("seller", "dispute", {"reason": "卖方争议"})]
    calls = [(who[actor], deal_id, action, data) for actor, action, data in
             (choices[i % len(choices)] for i in range(THREADS))]
    outcomes = at_once(app, calls)
    assert Counter(outcomes) == {"ok": 1, "Conflict": THREADS - 1}, Counter(outcomes)
    with app.app_context():
        deal = db.session.get(Deal, deal_id)
        events = deals_service.events_of(deal)
        assert [e.action for e in events[:2]] == ["create", "accept"] and len(events) == 3
        assert deals_service.replay(deal) == deal.status.value
        assert deal.version == 3  # created, accepted, one winner
        db.session.remove()


def test_compatible_transitions_all_land_in_order(app, committed_deal):
    deal_id, who = committed_deal
    calls = [(who["buyer" if i % 2 else "seller"], deal_id, "make_offer",
              {**OFFER, "upfront_fee": f"{100000 + i}.00"}) for i in range(THREADS)]
    outcomes = at_once(app, calls)
    assert outcomes == ["ok"] * THREADS
    with app.app_context():
        deal = db.session.get(Deal, deal_id)
        events = deals_service.events_of(deal)
        assert len(events) == 2 + THREADS and deal.version == 2 + THREADS
        assert deals_service.replay(deal) == "negotiation"
        offers = db.session.scalars(select(DealOffer).where(DealOffer.deal_id == deal_id)).all()
        assert Counter(o.status for o in offers) == {OfferStatus.superseded: THREADS - 1, OfferStatus.open: 1}
        # The open offer is the one the last event recorded.
        assert deal.latest_offer.id == events[-1].payload["offer_id"]
        db.session.remove()
