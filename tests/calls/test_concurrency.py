"""Concurrency on PostgreSQL: 20 threads, each with its own app context, session and connection, award (either of
two proposals) or close one call at the same moment. Exactly one wins; the others get 409; one deal opens; every
history stays a path of its machine.

The test commits for real (threads cannot share the rolled-back test transaction) and deletes what it made. It
runs where row locks exist — PostgreSQL, as in CI; SQLite has no ``SELECT … FOR UPDATE``.
"""
from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import delete, select, update

from app.accounts.models import ApiToken, Role, User
from app.calls.models import Call, CallEvent, CallStatus, Proposal, ProposalEvent, ProposalStatus
from app.calls.service import calls_service, proposals_service
from app.core.extensions import db
from app.core.identity import Identity
from app.core.models import utcnow
from app.deals.models import Deal, DealEvent
from app.notifications.models import Notification
from app.orgs.models import Organisation, OrgKind, VerificationStatus
from tests.calls.conftest import call_input, proposal_input
from tests.deals import test_concurrency as deal_concurrency
from tests.factories import _HASH

pytestmark = deal_concurrency.pytestmark
THREADS = 20
ORGS = {"enterprise": ("并发揭榜企业", OrgKind.enterprise), "university": ("并发揭榜大学", OrgKind.university),
        "institute": ("并发揭榜研究所", OrgKind.institute), "platform": ("并发揭榜平台", OrgKind.platform)}


@pytest.fixture(autouse=True)
def everything_replays():
    """Replaces the package's check (which needs the rolled-back session); the test replays itself."""
    yield


def remove_everything(app) -> None:
    """Delete what the fixture commits (also what an interrupted earlier run left)."""
    with app.app_context():
        orgs = db.session.scalars(select(Organisation.id).where(
            Organisation.name.in_([name for name, _ in ORGS.values()]))).all()
        users = db.session.scalars(select(User.id).where(User.org_id.in_(orgs))).all()
        calls = db.session.scalars(select(Call.id).where(Call.buyer_org_id.in_(orgs))).all()
        proposals = db.session.scalars(select(Proposal.id).where(Proposal.call_id.in_(calls))).all()
        deals = db.session.scalars(select(Deal.id).where(Deal.buyer_org_id.in_(orgs))).all()
        db.session.execute(update(Call).where(Call.id.in_(calls)).values(deal_id=None))
        db.session.execute(update(Proposal).where(Proposal.id.in_(proposals)).values(deal_id=None))
        for statement in (
            delete(Notification).where(Notification.user_id.in_(users)),
            delete(ProposalEvent).where(ProposalEvent.proposal_id.in_(proposals)),
            delete(Proposal).where(Proposal.id.in_(proposals)),
            delete(CallEvent).where(CallEvent.call_id.in_(calls)),
            delete(Call).where(Call.id.in_(calls)),
            delete(DealEvent).where(DealEvent.deal_id.in_(deals)),
            delete(Deal).where(Deal.id.in_(deals)),
            delete(ApiToken).where(ApiToken.user_id.in_(users)),
            delete(User).where(User.id.in_(users)),
            delete(Organisation).where(Organisation.id.in_(orgs)),
        ):
            db.session.execute(statement)
        db.session.commit()
        db.session.remove()


@pytest.fixture
def committed_call(app):
    """A published call with two proposals whose deadline passed, committed; everything is deleted afterwards."""
    remove_everything(app)
    with app.app_context():
        who = {}
        for key, (name, kind) in ORGS.items():
            org = Organisation(name=name, kind=kind, verification_status=VerificationStatus.verified)
            user = User(email=f"{key}@calls-concurrency.test", display_name=key, password_hash=_HASH,
                        organisation=org, role=Role.platform_admin if key == "platform" else Role.org_admin)
            db.session.add_all([org, user])
            who[key] = user
        db.session.commit()
        identities = {key: Identity.of(user) for key, user in who.items()}
        call = calls_service.create(identities["enterprise"], call_input())
        calls_service.execute_action(identities["platform"], call.id, "approve", {})
        proposals = [proposals_service.create(identities[key], proposal_input(call.id)).id
                     for key in ("university", "institute")]
        db.session.execute(update(Call).where(Call.id == call.id).values(deadline=utcnow()))
        db.session.commit()
        call_id = call.id
        db.session.remove()
    try:
        yield call_id, proposals, identities
    finally:
        remove_everything(app)


def test_one_award_or_closing_wins(app, committed_call, monkeypatch):
    call_id, proposals, who = committed_call
    monkeypatch.setattr(deal_concurrency, "deals_service", calls_service)  # the race helper's service
    choices = [("award", {"proposal_id": proposals[0]}), ("award", {"proposal_id": proposals[1]}),
               ("close", {"reason": "均不满足要求"})]
    calls = [(who["enterprise"], call_id, *choices[i % len(choices)]) for i in range(THREADS)]
    outcomes = deal_concurrency.run_at_once(app, calls)
    assert Counter(outcomes) == {"ok": 1, "conflict": THREADS - 1}, Counter(outcomes)
    with app.app_context():
        call = db.session.get(Call, call_id)
        assert calls_service.replay(call) == call.status.value and len(calls_service.events_of(call)) == 3
        rows = db.session.scalars(select(Proposal).where(Proposal.call_id == call_id)).all()
        for proposal in rows:
            assert proposals_service.replay(proposal) == proposal.status.value
        statuses = Counter(p.status for p in rows)
        deals = db.session.scalars(select(Deal).where(Deal.buyer_org_id == call.buyer_org_id)).all()
        if call.status == CallStatus.awarded:
            assert statuses == {ProposalStatus.awarded: 1, ProposalStatus.not_selected: 1}
            assert [d.id for d in deals] == [call.deal_id]
        else:
            assert call.status == CallStatus.closed and statuses == {ProposalStatus.not_selected: 2} and not deals
        db.session.remove()
