"""The call and proposal workflows on the deal engine (:mod:`app.core.workflow`).

Calls (the enterprise is the ``buyer``; platform admins moderate)::

    pending ─approve (admin)→ published      pending ─request_revision (admin)→ needs_revision ─resubmit→ pending
    pending ─reject (admin)→ rejected        pending | needs_revision ─withdraw→ withdrawn
    published ─open_evaluation (system, after the deadline: ``flask calls open-evaluations``)→ evaluating
    published | evaluating ─award (after the deadline)→ awarded (the proposal wins, the others are not selected,
        a commissioned-development deal opens)
    published | evaluating ─close (with a reason)→ closed (no award; every open proposal is not selected)

Proposals (the proposer is the ``seller``, the call's enterprise the ``buyer``)::

    submitted ─revise / withdraw (proposer, until the deadline)→ submitted / withdrawn
    submitted ─shortlist→ shortlisted;  submitted | shortlisted ─score→ (unchanged) ─decline (coded)→ declined
    submitted | shortlisted ─award / not_select (system, run by the call's award or closing)→ awarded / not_selected
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.calls.models import CallStatus as C
from app.calls.models import ProposalDocument
from app.calls.models import ProposalStatus as P
from app.calls.schemas import AwardSchema, CallInputSchema, DeclineSchema, ProposalInputSchema, ScoreSchema
from app.core.errors import ValidationFailed
from app.core.records import store_pdf
from app.core.workflow import ADMIN, BUYER, SELLER, SYSTEM, Action, Machine, WithReason

DOCUMENTS_FOLDER = "call_proposals"
OPEN_PROPOSAL = (P.submitted, P.shortlisted)
EVALUABLE = (C.published, C.evaluating)  # a call whose proposals may be evaluated (after its deadline)

CALL_STATUS_LABELS = {
    C.pending: _l("Pending review"), C.needs_revision: _l("Needs revision (整改)"),
    C.published: _l("Open for proposals"), C.evaluating: _l("Under evaluation"), C.awarded: _l("Awarded"), C.closed: _l("Closed without award"),
    C.rejected: _l("Rejected"), C.withdrawn: _l("Withdrawn"),
}
PROPOSAL_STATUS_LABELS = {
    P.submitted: _l("Submitted"), P.shortlisted: _l("Shortlisted"), P.awarded: _l("Awarded"),
    P.declined: _l("Declined"), P.not_selected: _l("Not selected"), P.withdrawn: _l("Withdrawn"),
}
DECLINE_LABELS = {
    "budget": _l("The price exceeds the budget"),
    "technical": _l("The approach does not meet the technical requirements"),
    "maturity": _l("The technology is not mature enough"),
    "schedule": _l("The schedule does not fit"),
    "team": _l("The team's capacity is insufficient"),
    "other": _l("Other reasons (see the note)"),
}


# ---------------------------------------------------------------- calls


class Approve(Action):
    """A platform admin publishes the call; the owners of matching patents are told about it."""

    name = "approve"
    label = _l("Publish")
    status_from = (C.pending,)
    status_to = C.published
    roles = frozenset({ADMIN})

    def blocked(self, obj):
        return _l("the deadline has passed; the owner must revise it") if obj.deadline_passed else None

    def execute(self, obj, data, ctx):
        obj.published_at, obj.moderation_note = ctx.now, None
        return {"notified_orgs": ctx.service.push_to_patent_owners(obj, uow=ctx.uow)}


class RequestRevision(WithReason):
    """A platform admin sends the call back for revision (整改), saying what to change."""

    name = "request_revision"
    label = _l("Needs revision (整改)")
    status_from = (C.pending,)
    status_to = C.needs_revision
    roles = frozenset({ADMIN})

    def execute(self, obj, data, ctx):
        obj.moderation_note = data["reason"]
        return {"reason": data["reason"]}


class Reject(RequestRevision):
    """A platform admin rejects the call, saying why."""

    name = "reject"
    label = _l("Reject")
    status_to = C.rejected


class Resubmit(Action):
    """The owner revises the call and sends it to the moderators again."""

    name = "resubmit"
    label = _l("Revise and resubmit")
    status_from = (C.needs_revision,)
    status_to = C.pending
    roles = frozenset({BUYER})
    schema = CallInputSchema

    def execute(self, obj, data, ctx):
        ctx.service.apply_call_input(ctx.identity, obj, data)
        return {"title": obj.title, "deadline": obj.deadline}


class WithdrawCall(WithReason):
    """The owner withdraws the call before it is published."""

    name = "withdraw"
    label = _l("Withdraw")
    status_from = (C.pending, C.needs_revision)
    status_to = C.withdrawn
    roles = frozenset({BUYER})
    awaited = False


class OpenEvaluation(Action):
    """The scheduled job marks a call whose deadline passed as under evaluation and tells its enterprise."""

    name = "open_evaluation"
    label = _l("Open the evaluation")
    status_from = (C.published,)
    status_to = C.evaluating
    roles = frozenset({SYSTEM})

    def blocked(self, obj):
        return None if obj.deadline_passed else _l("proposals are sealed until the deadline")


class AwardCall(Action):
    """After the deadline the owner awards one proposal: it is awarded, every other open one is not selected,
    and a commissioned-development deal opens with the proposal's milestones as its agreed terms."""

    name = "award"
    label = _l("Award")
    status_from = EVALUABLE
    status_to = C.awarded
    roles = frozenset({BUYER})
    schema = AwardSchema

    def blocked(self, obj):
        return None if obj.deadline_passed else _l("proposals are sealed until the deadline")

    def execute(self, obj, data, ctx):
        deal = ctx.service.award(ctx.identity, obj, data["proposal_id"], uow=ctx.uow)
        return {"proposal_id": data["proposal_id"], "deal_id": deal.id}


class CloseCall(WithReason):
    """The owner ends the call without an award, saying why; every open proposal is not selected."""

    name = "close"
    label = _l("Close without award")
    status_from = EVALUABLE
    status_to = C.closed
    roles = frozenset({BUYER})
    awaited = False

    def execute(self, obj, data, ctx):
        obj.no_award_reason = data["reason"]
        return {"reason": data["reason"], "not_selected": ctx.service.close_open_proposals(obj, uow=ctx.uow)}


CALL_MACHINE = Machine(statuses=C, initial=C.pending, expirable=(), actions=[
    Approve, RequestRevision, Reject, Resubmit, WithdrawCall, OpenEvaluation, AwardCall, CloseCall,
])


# ---------------------------------------------------------------- proposals


def attach(obj, upload, ctx) -> int | None:
    """Store an uploaded PDF with the proposal; returns its id."""
    if upload is None:
        return None
    content, filename = upload
    document = store_pdf(ProposalDocument, DOCUMENTS_FOLDER, content, filename, uow=ctx.uow, proposal_id=obj.id,
                         kind="attachment", uploaded_by_id=ctx.identity.user_id)
    ctx.uow.session.flush()
    ctx.uow.session.expire(obj, ["documents"])
    return document.id


class BeforeDeadline(Action):
    """An action of the proposer's that the call's deadline ends."""

    roles = frozenset({SELLER})
    awaited = False

    def blocked(self, obj):
        return _l("the call's deadline has passed") if obj.call.deadline_passed else None


class Revise(BeforeDeadline):
    """The proposer revises the proposal (and may add a PDF) until the deadline."""

    name = "revise"
    label = _l("Save changes")
    status_from = (P.submitted,)
    status_to = P.submitted
    schema = ProposalInputSchema

    def execute(self, obj, data, ctx):
        ctx.service.apply_proposal_input(obj, data)
        return {"price": obj.price, "document_id": attach(obj, data.get("attachment"), ctx)}


class WithdrawProposal(BeforeDeadline, WithReason):
    """The proposer withdraws the proposal before the deadline."""

    name = "withdraw"
    label = _l("Withdraw the proposal")
    status_from = (P.submitted,)
    status_to = P.withdrawn


class Evaluation(Action):
    """An action of the enterprise's evaluation: after the deadline, while the call is open."""

    roles = frozenset({BUYER})

    def blocked(self, obj):
        if not obj.call.deadline_passed:
            return _l("proposals are sealed until the deadline")
        return None if obj.call.status in EVALUABLE else _l("the call is no longer being evaluated")


class Score(Evaluation):
    """The enterprise scores the proposal on each of the call's criteria (0–100); it may rescore."""

    name = "score"
    label = _l("Save scores")
    status_from = OPEN_PROPOSAL
    status_to = OPEN_PROPOSAL
    schema = ScoreSchema
    awaited = False

    def target(self, obj, data):
        return obj.status

    def execute(self, obj, data, ctx):
        names = [c["name"] for c in obj.call.criteria]
        if sorted(data["scores"]) != sorted(names):
            raise ValidationFailed({"scores": [f"score each criterion: {', '.join(names)}"]})
        obj.scores = {name: data["scores"][name] for name in names}
        return {"scores": obj.scores, "weighted": obj.weighted_score}


class Shortlist(Evaluation):
    """The enterprise shortlists the proposal."""

    name = "shortlist"
    label = _l("Shortlist")
    status_from = (P.submitted,)
    status_to = P.shortlisted


class DeclineProposal(Evaluation):
    """The enterprise declines the proposal with a coded reason the proposer sees."""

    name = "decline"
    label = _l("Decline")
    status_from = OPEN_PROPOSAL
    status_to = P.declined
    schema = DeclineSchema
    awaited = False

    def execute(self, obj, data, ctx):
        obj.decline_code, obj.decline_note = data["code"], data.get("note")
        return {"code": data["code"], "note": data.get("note")}


class AwardProposal(Action):
    """The call's award reached this proposal (only the call's ``award`` runs it, as the platform)."""

    name = "award"
    label = _l("Awarded")
    status_from = OPEN_PROPOSAL
    status_to = P.awarded
    roles = frozenset({SYSTEM})


class NotSelected(Action):
    """The call was awarded to another proposal or closed (only the call's actions run it, as the platform)."""

    name = "not_select"
    label = _l("Not selected")
    status_from = OPEN_PROPOSAL
    status_to = P.not_selected
    roles = frozenset({SYSTEM})


PROPOSAL_MACHINE = Machine(statuses=P, initial=P.submitted, expirable=(), actions=[
    Revise, WithdrawProposal, Score, Shortlist, DeclineProposal, AwardProposal, NotSelected,
])

