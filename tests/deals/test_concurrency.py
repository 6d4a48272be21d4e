"""Concurrency on PostgreSQL: 50 threads, each with its own app context, session and connection, act on one deal at
once. Conflicting transitions: exactly one wins, the others get 409 and the event log stays a path of the machine.
Compatible transitions (offers): all succeed one after the other, none lost.

These tests commit for real (threads cannot share the rolled-back test transaction) and delete what they made.
They run where row locks exist — PostgreSQL, as in CI; SQLite has no ``SELECT … FOR UPDATE``.
"""
from __future__ import annotations

import os
import threading
from collections import Counter

import pytest
from sqlalchemy import delete, select

from app.accounts.models import ApiToken, Role, User
from app.core.errors import Conflict
from app.core.extensions import db
from app.core.identity import Identity
from app.deals.models import Deal, DealEvent, DealMessage, DealOffer, OfferStatus, deal_patents
from app.deals.service import deals_service
from app.listings.models import ListingStatus
from app.notifications.models import Notification
from app.orgs.models import Organisation, OrgKind, VerificationStatus
from app.patents.models import Patent
from tests.deals.conftest import OFFER
from tests.factories import _HASH

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="row-lock concurrency needs PostgreSQL (CI runs it there)",
)
THREADS = 50


@pytest.fixture(autouse=True)
def every_deal_replays():
    """Replaces the package's check (which needs the rolled-back session); the tests replay themselves."""
    yield


ORG_NAMES = ("并发测试大学", "并发测试企业")


def remove_everything(app) -> None:
    """Delete what the fixture commits (also what an interrupted earlier run left)."""
    with app.app_context():
        orgs = db.session.scalars(select(Organisation.id).where(Organisation.name.in_(ORG_NAMES))).all()
        users = db.session.scalars(select(User.id).where(User.org_id.in_(orgs))).all()
        deals = db.session.scalars(select(Deal.id).where(Deal.buyer_org_id.in_(orgs))).all()
        for statement in (
            delete(Notification).where(Notification.user_id.in_(users)),
            delete(DealEvent).where(DealEvent.deal_id.in_(deals)),
            delete(DealOffer).where(DealOffer.deal_id.in_(deals)),
            delete(DealMessage).where(DealMessage.deal_id.in_(deals)),
            delete(deal_patents).where(deal_patents.c.deal_id.in_(deals)),
            delete(Deal).where(Deal.id.in_(deals)),
            delete(Patent).where(Patent.org_id.in_(orgs)),
            delete(ApiToken).where(ApiToken.user_id.in_(users)),
            delete(User).where(User.id.in_(users)),
            delete(Organisation).where(Organisation.id.in_(orgs)),
        ):
            db.session.execute(statement)
        db.session.commit()
        db.session.remove()


@pytest.fixture
def committed_deal(app):
    """A deal in negotiation between two real organisations, committed; everything is deleted afterwards."""
    remove_everything(app)
    with app.app_context():
        seller_org = Organisation(name=ORG_NAMES[0], kind=OrgKind.university,
                                  verification_status=VerificationStatus.verified)
        buyer_org = Organisation(name=ORG_NAMES[1], kind=OrgKind.enterprise,
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
    try:
        yield deal_id, identities
    finally:
        remove_everything(app)


def run_at_once(app, calls) -> list[str]:
    """Run ``calls`` (identity, deal id, action, data) in one thread each, released together; their outcomes."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = [""] * len(calls)

    def worker(index, call):
        with app.app_context():
            barrier.wait()
            try:
                deals_service.execute_action(*call)
                outcomes[index] = "ok"
            except Conflict:
                outcomes[index] = "conflict"
            except Exception as error:  # noqa: BLE001 - reported in the assertion below
                outcomes[index] = f"error: {error!r}"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def test_conflicting_transitions_exactly_one_wins(app, committed_deal):
    deal_id, who = committed_deal
    # Fifty attempts to leave negotiation for good, by both parties: whichever lands first (a cancellation ends
    # the deal, a dispute freezes it) makes every other one impossible.
    choices = [("buyer", "cancel", {"reason": "买方取消"}), ("seller", "cancel", {"reason": "卖方取消"}),
               ("buyer", "dispute", {"reason": "买方争议"}), ("seller", "dispute", {"reason": "卖方争议"})]
    calls = [(who[actor], deal_id, action, data) for actor, action, data in
             (choices[i % len(choices)] for i in range(THREADS))]
    outcomes = run_at_once(app, calls)
    assert Counter(outcomes) == {"ok": 1, "conflict": THREADS - 1}, Counter(outcomes)
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
    outcomes = run_at_once(app, calls)
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
