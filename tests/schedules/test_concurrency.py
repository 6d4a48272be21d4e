"""Concurrency on PostgreSQL: 20 threads, each with its own app context and connection, act on one funded
schedule item at once (the buyer releasing it, either party disputing it): exactly one wins, the others get 409,
the money moves once and the books balance.

The test commits for real (threads cannot share the rolled-back test transaction) and deletes what it made.
"""
from __future__ import annotations

import os
import threading
from collections import Counter

import pytest
from sqlalchemy import delete, or_, select

from app.accounts.models import ApiToken, Role, User
from app.core.errors import Conflict
from app.core.extensions import db
from app.core.identity import Identity
from app.deals.models import Deal, DealEvent, DealOffer, deal_patents
from app.deals.service import deals_service
from app.listings.models import ListingStatus
from app.notifications.models import Notification
from app.orgs.models import Organisation, OrgKind, VerificationStatus
from app.patents.models import Patent
from app.payments import ledger
from app.payments import service as payments
from app.payments.models import LedgerEntry, LedgerTransaction, Payment, PaymentRefund, Payout, ProviderCall
from app.schedules.models import DistributionStatement, ItemKind, ScheduleDocument, ScheduleItem, ScheduleItemEvent
from app.schedules.service import schedule_service
from tests.factories import _HASH
from tests.schedules.conftest import SCHEDULE_TERMS

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="row-lock concurrency needs PostgreSQL (CI runs it there)",
)
THREADS = 20
ORG_NAMES = ("并发付款计划大学", "并发付款计划企业", "并发付款计划平台")


@pytest.fixture(autouse=True)
def every_item_replays():
    """Replaces the package's check (which needs the rolled-back session); the test replays itself."""
    yield


@pytest.fixture(autouse=True)
def every_deal_replays():
    """Replaces the deals' check for the same reason."""
    yield


def remove_everything(app) -> None:
    """Delete what the fixture commits (also what an interrupted earlier run left)."""
    with app.app_context():
        orgs = db.session.scalars(select(Organisation.id).where(Organisation.name.in_(ORG_NAMES))).all()
        users = db.session.scalars(select(User.id).where(User.org_id.in_(orgs))).all()
        deals = db.session.scalars(select(Deal.id).where(Deal.buyer_org_id.in_(orgs))).all()
        items = db.session.scalars(select(ScheduleItem.id).where(ScheduleItem.deal_id.in_(deals))).all()
        pays = db.session.scalars(select(Payment.id).where(Payment.buyer_org_id.in_(orgs))).all()
        txns = db.session.scalars(select(LedgerTransaction.id).where(LedgerTransaction.payment_id.in_(pays))).all()
        for statement in (
            delete(Notification).where(Notification.user_id.in_(users)),
            delete(DistributionStatement).where(DistributionStatement.item_id.in_(items)),
            delete(LedgerEntry).where(LedgerEntry.transaction_id.in_(txns)),
            delete(LedgerTransaction).where(LedgerTransaction.id.in_(txns)),
            delete(ProviderCall).where(ProviderCall.payment_id.in_(pays)),
            delete(PaymentRefund).where(PaymentRefund.payment_id.in_(pays)),
            delete(Payout).where(Payout.payment_id.in_(pays)),
            delete(Payment).where(Payment.id.in_(pays)),
            delete(ScheduleItemEvent).where(ScheduleItemEvent.item_id.in_(items)),
            delete(ScheduleDocument).where(ScheduleDocument.item_id.in_(items)),
            delete(ScheduleItem).where(ScheduleItem.id.in_(items)),
            delete(DealEvent).where(DealEvent.deal_id.in_(deals)),
            delete(DealOffer).where(DealOffer.deal_id.in_(deals)),
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
def funded_item(app):
    """A funded instalment of an approved schedule licence, committed; everything is deleted afterwards."""
    remove_everything(app)
    with app.app_context():
        orgs = [Organisation(name=name, kind=kind, verification_status=VerificationStatus.verified)
                for name, kind in zip(ORG_NAMES, (OrgKind.university, OrgKind.enterprise, OrgKind.platform), strict=False)]
        users = [User(email=f"{who}@schedule-concurrency.test", display_name=who, password_hash=_HASH,
                      organisation=org, role=role)
                 for who, org, role in zip(("seller", "buyer", "admin"), orgs,
                                           (Role.org_admin, Role.org_admin, Role.platform_admin), strict=False)]
        patent = Patent(organisation=orgs[0], title="一种付款计划并发控制方法", abstract="用于测试的专利摘要。",
                        status=ListingStatus.approved)
        db.session.add_all([*orgs, *users, patent])
        db.session.commit()
        who = {user.display_name: Identity.of(user) for user in users}
        deal = deals_service.create(who["buyer"], {"patent_id": patent.id, "message": "并发询价"})
        for actor, action, data in [("seller", "accept", {}), ("buyer", "make_offer", SCHEDULE_TERMS),
                                    ("seller", "accept_offer", {}), ("buyer", "generate_contract", {}),
                                    ("buyer", "sign_contract", {"agree": True}),
                                    ("seller", "sign_contract", {"agree": True}), ("admin", "approve_contract", {})]:
            deals_service.execute_action(who[actor], deal.id, action, data)
        item = next(i for i in schedule_service.items_of_deal(deal) if i.kind == ItemKind.instalment)
        schedule_service.execute_action(who["buyer"], item.id, "start_payment", {})
        payments.confirm_test_payment(who["buyer"], payments.payment_of(item).id)
        item_id = item.id
        db.session.remove()
    try:
        yield item_id, who
    finally:
        remove_everything(app)


def test_release_and_disputes_racing_on_one_item(app, funded_item):
    item_id, who = funded_item
    choices = [("buyer", "release", {}), ("buyer", "dispute", {"reason": "买方争议"}),
               ("seller", "dispute", {"reason": "卖方争议"})]
    calls = [(who[actor], item_id, action, data) for actor, action, data in
             (choices[i % len(choices)] for i in range(THREADS))]
    barrier = threading.Barrier(THREADS)
    outcomes = [""] * THREADS

    def worker(index, call):
        with app.app_context():
            barrier.wait()
            try:
                schedule_service.execute_action(*call)
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
    assert Counter(outcomes) == {"ok": 1, "conflict": THREADS - 1}, Counter(outcomes)
    with app.app_context():
        item = db.session.get(ScheduleItem, item_id)
        assert schedule_service.replay(item) == item.status.value
        payment = payments.payment_of(item)
        releases = db.session.scalars(select(LedgerTransaction).where(
            LedgerTransaction.payment_id == payment.id, or_(LedgerTransaction.kind == "release"))).all()
        assert len(releases) == (1 if item.status.value == "released" else 0)
        assert ledger.unbalanced_transactions() == []
        db.session.remove()
