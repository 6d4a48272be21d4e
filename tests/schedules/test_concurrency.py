"""Concurrency on PostgreSQL: 20 threads, each with its own app context and connection, act on one funded
schedule item at once (the buyer releasing it, either party disputing it): exactly one wins, the others get 409,
the money moves once and the books balance.

The test commits for real (``tests.concurrency``).
"""
from __future__ import annotations

from collections import Counter
from functools import partial

import pytest
from sqlalchemy import or_, select

from app.accounts.models import Role, User
from app.core.extensions import db
from app.core.identity import Identity
from app.deals.service import deals_service
from app.listings.models import ListingStatus
from app.orgs.models import Organisation, OrgKind, VerificationStatus
from app.patents.models import Patent
from app.payments import ledger
from app.payments import service as payments
from app.payments.models import LedgerTransaction
from app.schedules.models import ItemKind, ScheduleItem
from app.schedules.service import schedule_service
from tests.concurrency import postgres_only, run_at_once
from tests.factories import _HASH
from tests.schedules.conftest import SCHEDULE_TERMS

pytestmark = postgres_only
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


@pytest.fixture
def funded_item(app, committed_rows):
    """A funded instalment of an approved schedule licence, committed (the database is emptied afterwards)."""
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
    return item_id, who


def test_release_and_disputes_racing_on_one_item(app, funded_item):
    item_id, who = funded_item
    choices = [("buyer", "release", {}), ("buyer", "dispute", {"reason": "买方争议"}),
               ("seller", "dispute", {"reason": "卖方争议"})]
    calls = [(who[actor], item_id, action, data) for actor, action, data in
             (choices[i % len(choices)] for i in range(THREADS))]
    outcomes = run_at_once(app, [partial(schedule_service.execute_action, *call) for call in calls])
    assert Counter(outcomes) == {"ok": 1, "Conflict": THREADS - 1}, Counter(outcomes)
    with app.app_context():
        item = db.session.get(ScheduleItem, item_id)
        assert schedule_service.replay(item) == item.status.value
        payment = payments.payment_of(item)
        releases = db.session.scalars(select(LedgerTransaction).where(
            LedgerTransaction.payment_id == payment.id, or_(LedgerTransaction.kind == "release"))).all()
        assert len(releases) == (1 if item.status.value == "released" else 0)
        assert ledger.unbalanced_transactions() == []
        db.session.remove()
