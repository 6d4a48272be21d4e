"""Concurrency on PostgreSQL: 20 threads, each with its own app context, session and connection, award (either of
two proposals) or close one call at the same moment. Exactly one wins; the others get 409; one deal opens; every
history stays a path of its machine.

The test commits for real (``tests.concurrency``) and runs where row locks exist: PostgreSQL, as in CI.
"""
from __future__ import annotations

from collections import Counter
from functools import partial

import pytest
from sqlalchemy import select, update

from app.accounts.models import Role, User
from app.calls.models import Call, CallStatus, Proposal, ProposalStatus
from app.calls.service import calls_service, proposals_service
from app.core.extensions import db
from app.core.identity import Identity
from app.core.models import utcnow
from app.deals.models import Deal
from app.orgs.models import Organisation, OrgKind, VerificationStatus
from tests.calls.conftest import call_input, proposal_input
from tests.concurrency import postgres_only, run_at_once
from tests.factories import _HASH

pytestmark = postgres_only
THREADS = 20
ORGS = {"enterprise": ("并发揭榜企业", OrgKind.enterprise), "university": ("并发揭榜大学", OrgKind.university),
        "institute": ("并发揭榜研究所", OrgKind.institute), "platform": ("并发揭榜平台", OrgKind.platform)}


@pytest.fixture(autouse=True)
def everything_replays():
    """Replaces the package's check (which needs the rolled-back session); the test replays itself."""
    yield


@pytest.fixture
def committed_call(app, committed_rows):
    """A published call with two proposals whose deadline passed, committed (the database is emptied afterwards)."""
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
    return call_id, proposals, identities


def test_one_award_or_closing_wins(app, committed_call):
    call_id, proposals, who = committed_call
    choices = [("award", {"proposal_id": proposals[0]}), ("award", {"proposal_id": proposals[1]}),
               ("close", {"reason": "均不满足要求"})]
    calls = [(who["enterprise"], call_id, *choices[i % len(choices)]) for i in range(THREADS)]
    outcomes = run_at_once(app, [partial(calls_service.execute_action, *call) for call in calls])
    assert Counter(outcomes) == {"ok": 1, "Conflict": THREADS - 1}, Counter(outcomes)
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
