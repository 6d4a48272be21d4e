"""The call and proposal transition tables, generated from their machines (see ``tests/deals/table.py``): every
status (and, for calls, before and after the deadline) × every action × every actor. Refusals change nothing;
allowed cells append exactly one event."""
from __future__ import annotations

import pytest

from app.calls.actions import CALL_MACHINE, PROPOSAL_MACHINE
from app.calls.models import CallNda, CallStatus, ProposalMessage, ProposalStatus
from app.calls.policy import call_policy
from app.calls.service import calls_service, proposals_service
from app.core.identity import Identity
from tests.calls.conftest import call_sample, drive_call, drive_proposal, proposal_sample
from tests.deals.table import ACTORS, check_every_cell

CALL_SCENARIOS = {
    "pending": dict(status=CallStatus.pending),
    "needs_revision": dict(status=CallStatus.needs_revision),
    "rejected": dict(status=CallStatus.rejected),
    "withdrawn": dict(status=CallStatus.withdrawn),
    "published_open": dict(status=CallStatus.published, with_proposal=True),
    "published_past_deadline": dict(status=CallStatus.published, with_proposal=True, past=True),
    "evaluating": dict(status=CallStatus.evaluating, with_proposal=True),
    "closed": dict(status=CallStatus.closed),
    "awarded": dict(status=CallStatus.awarded),
}


@pytest.mark.parametrize("scenario", list(CALL_SCENARIOS))
def test_every_call_action_for_every_actor(market, scenario):
    situation = CALL_SCENARIOS[scenario]
    check_every_cell(
        calls_service, status=situation["status"], make=lambda: drive_call(market, **situation),
        run=lambda actor, call, action: calls_service.execute_action(
            market.identity(actor), call.id, action, call_sample(market, call, action)),
        related=(CallNda,), public=lambda call: call_policy.allows("read", Identity.anonymous(), call),
        actors=[actor for actor in ACTORS if actor != "seller"],  # a call has no seller; proposers are outsiders
    )


@pytest.mark.parametrize("status", list(ProposalStatus))
def test_every_proposal_action_for_every_actor(market, status):
    check_every_cell(
        proposals_service, status=status, make=lambda: drive_proposal(market, status),
        run=lambda actor, proposal, action: proposals_service.execute_action(
            market.identity(actor), proposal.id, action, proposal_sample(action)),
        related=(ProposalMessage,),
    )


@pytest.mark.parametrize("machine, statuses, terminal", [
    (CALL_MACHINE, CallStatus, {"awarded", "closed", "rejected", "withdrawn"}),
    (PROPOSAL_MACHINE, ProposalStatus, {"awarded", "declined", "not_selected", "withdrawn"}),
])
def test_every_action_leaves_some_status_and_every_open_status_has_a_way_out(machine, statuses, terminal):
    for action in machine.actions.values():
        assert action.status_from and action.roles, action.name
    leaving = {s.value for a in machine.actions.values() for s in a.status_from}
    assert leaving == {s.value for s in statuses} - terminal
