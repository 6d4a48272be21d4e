"""The call and proposal services: creating calls and proposals, the workflow engine's single
``execute_action`` entry point (inherited), the call list, the NDA gate, the sealed proposals, the message
threads and the award that opens a commissioned-development deal.

Every read and write asks :mod:`app.calls.policy`: a proposal is invisible (404) to anyone its policy does not
let read it, so before the deadline the enterprise cannot even learn who proposed.
"""
from __future__ import annotations

import logging
from decimal import Decimal

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from app.calls.actions import (
    CALL_MACHINE,
    CALL_STATUS_LABELS,
    DOCUMENTS_FOLDER,
    OPEN_PROPOSAL,
    PROPOSAL_MACHINE,
    PROPOSAL_STATUS_LABELS,
    attach,
)
from app.calls.models import (
    Call,
    CallEvent,
    CallNda,
    CallStatus,
    Proposal,
    ProposalDocument,
    ProposalEvent,
    ProposalMessage,
)
from app.calls.policy import call_policy, proposal_policy
from app.calls.schemas import (
    CallDetailSchema,
    CallInputSchema,
    CallNdaSchema,
    CreateProposalSchema,
    ProposalMessageInputSchema,
)
from app.core.errors import Conflict, NotFound, ValidationFailed
from app.core.extensions import db
from app.core.formatting import format_datetime
from app.core.identity import Identity
from app.core.models import utcnow
from app.core.uow import unit_of_work
from app.core.workflow import BUYER, SELLER, ActionContext, WorkflowService, load, other_party
from app.deals.service import deals_service
from app.demands.models import TechDemand
from app.listings.models import ListingStatus
from app.matching.service import DEMAND_TO_PATENTS, rank
from app.notifications.service import recipients_of_org, tell
from app.notifications.workflow import party_recipients
from search.engine import EngineUnavailable

log = logging.getLogger(__name__)
PUSH_CANDIDATES = 20  # matching patents considered when a call is published
# Lower than the demand alerts' threshold (MATCH_ALERT_THRESHOLD): a funded call is worth a look even when a
# patent only partly covers the problem, and the owner is told once per call.
PUSH_MIN_SCORE = 0.2
NDA_TEMPLATE = (
    "保密协议\n\n信息披露方：{owner}\n\n一、披露方在技桥平台发布“{title}”揭榜项目，向接受本协议的机构披露完整的技术问题"
    "（包括工艺参数、数据与附件），接收方仅可将其用于准备揭榜方案。\n二、未经披露方书面同意，接收方不得向任何第三方披露上述资料。\n"
    "三、保密义务自接收方在平台确认本协议之日起生效，期限为三年；已公开或接收方独立开发的信息除外。\n四、本协议适用中华人民共和国法律。"
)


# ---------------------------------------------------------------- calls


class CallService(WorkflowService):
    """Calls on the workflow engine: moderation, publication, award and closing are its actions."""

    subject_label = _l("Call for solutions")
    link_prefix = "/calls"
    policy = call_policy

    def status_label(self, status) -> str:
        return CALL_STATUS_LABELS[status]

    def get(self, identity: Identity, obj_id: int, *, lock: bool = False) -> Call:
        """The call if ``identity`` may read it (published ones: anyone), else 404."""
        query = select(Call).where(Call.id == obj_id)
        if lock:
            query = query.with_for_update(of=Call).execution_options(populate_existing=True)
        call = db.session.scalar(query)
        if call is None or not self.policy.allows("read", identity, call):
            raise NotFound(f"call {obj_id} not found")
        return call

    def search(self, identity: Identity, *, q: str | None = None, industry: str | None = None,
               region: str | None = None, open_only: bool = False, mine: bool = False, status: str | None = None,
               page: int = 1, per_page: int = 20) -> tuple[list[Call], int]:
        """``(rows, total)``: the calls ``identity`` may read, filtered; open ones soonest deadline first."""
        query = select(Call).where(self.policy.sql_filter("read", identity, Call))
        if mine:
            query = query.where(Call.buyer_org_id == identity.org_id) if identity.org_id else query.where(False)
        if q:
            pattern = f"%{q.strip()}%"
            query = query.where(or_(Call.title.ilike(pattern), Call.summary.ilike(pattern),
                                    Call.outcomes.ilike(pattern)))
        if industry:
            query = query.where(Call.industry == industry)
        if region:
            query = query.where(Call.region == region)
        if status:
            try:
                query = query.where(Call.status == CallStatus(status))
            except ValueError:
                raise ValidationFailed({"status": [f"one of {[s.value for s in CallStatus]}"]}) from None
        if open_only:
            query = query.where(Call.status == CallStatus.published, Call.deadline > utcnow())
        total = db.session.scalar(select(func.count()).select_from(query.subquery()))
        rows = db.session.scalars(query.order_by((Call.deadline <= utcnow()), Call.deadline, Call.id.desc())
                                  .limit(per_page).offset((page - 1) * per_page)).all()
        return rows, total

    def list(self, identity: Identity, *, statuses=None, page: int = 1, per_page: int = 20, everyone=False):
        """The calls of ``identity``'s organisation (platform admins: every call with ``everyone``)."""
        if everyone and self.policy.allows("list_all", identity):
            return self.search(identity, page=page, per_page=per_page)
        return self.search(identity, mine=True, page=page, per_page=per_page)

    def open_evaluations(self) -> list[int]:
        """Open the evaluation of every published call whose deadline passed (each in its own unit of work);
        returns their ids. The scheduled job ``flask calls open-evaluations`` runs it."""
        due = db.session.scalars(select(Call.id).where(Call.status == CallStatus.published,
                                                       Call.deadline <= utcnow())).all()
        opened = []
        for call_id in due:
            try:
                self.execute_action(Identity.system(), call_id, "open_evaluation", {})
                opened.append(call_id)
            except Conflict:  # the owner awarded or closed it since the query
                db.session.rollback()
        return opened

    def recipients(self, obj, role: str):
        """A call has no seller: nobody hears for that side."""
        return [] if role == SELLER else party_recipients(obj, role)

    @unit_of_work
    def create(self, identity: Identity, data: dict, *, uow) -> Call:
        """Write a call as an enterprise (from one of its demands or blank); it waits for a platform admin."""
        self.policy.require("create", identity, message=_l("calls for solutions are published by enterprises"))
        loaded = load(CallInputSchema, data)
        call = Call(buyer_org_id=identity.org_id, created_by_id=identity.user_id)
        self.apply_call_input(identity, call, loaded)
        self.record_creation(identity, call, {"title": call.title, "deadline": call.deadline}, uow=uow)
        return call

    def may_read_details(self, identity: Identity, call: Call) -> bool:
        """The full problem: open calls to every reader, confidential ones after the NDA (owner, platform)."""
        return self.policy.allows("read_details", identity, call)

    @unit_of_work
    def accept_nda(self, identity: Identity, call_id: int, data: dict, *, uow) -> CallNda:
        """Accept a confidential call's NDA for the identity's organisation (once; again is a no-op)."""
        call = self.get(identity, call_id)
        self.policy.require("accept_nda", identity, call,
                            message=_l("log in as a member of an organisation to accept the NDA"))
        if not call.confidential:
            raise Conflict("this call is not confidential", current_status=call.status.value)
        load(CallNdaSchema, data)
        existing = db.session.scalar(select(CallNda).where(CallNda.call_id == call.id,
                                                           CallNda.org_id == identity.org_id))
        if existing:
            return existing
        row = CallNda(call_id=call.id, org_id=identity.org_id, user_id=identity.user_id, nda_text=self.nda_of(call))
        uow.session.add(row)
        return row

    @staticmethod
    def nda_of(call: Call) -> str:
        """The NDA a reader accepts: the owner's text or the platform's template."""
        return call.nda_text or NDA_TEMPLATE.format(owner=call.buyer_org.name, title=call.title)

    def proposal_count(self, identity: Identity, call: Call) -> int | None:
        """How many proposals the call received: for the owner after the deadline and the platform only."""
        if not self.policy.allows("count_proposals", identity, call):
            return None
        return db.session.scalar(select(func.count(Proposal.id)).where(Proposal.call_id == call.id))

    def view(self, identity: Identity, call: Call) -> CallView:
        """One call as ``identity`` may see it, for :class:`CallDetailSchema`: what the NDA guards, the proposal
        count, the status in the reader's language and the next actions."""
        visible = self.may_read_details(identity, call)
        return CallView(
            call, details=call.details if visible else None, details_visible=visible,
            nda_text=self.nda_of(call) if call.confidential else None,
            proposal_count=self.proposal_count(identity, call), status_label=str(self.status_label(call.status)),
            next_actions=[{"name": a.name, "label": str(a.label)} for a in self.next_actions(identity, call)],
        )

    def dump(self, identity: Identity, call: Call) -> dict:
        """:meth:`view` as JSON."""
        return CallDetailSchema().dump(self.view(identity, call))

    @staticmethod
    def apply_call_input(identity: Identity, call: Call, data: dict) -> None:
        """Copy loaded :class:`CallInputSchema` fields onto ``call``; 422 for a past deadline or another's demand."""
        if data["deadline"] <= utcnow():
            raise ValidationFailed({"deadline": [_l("the deadline must be in the future")]})
        if data.get("demand_id") is not None:
            demand = db.session.get(TechDemand, data["demand_id"])
            if demand is None or demand.org_id != identity.org_id or demand.status != ListingStatus.approved:
                raise ValidationFailed({"demand_id": [_l("not a published demand of your organisation")]})
        for key, value in data.items():
            setattr(call, key, value)
        call.budget_min, call.budget_max = Decimal(data["budget_min"]), Decimal(data["budget_max"])

    def push_to_patent_owners(self, call: Call, *, uow) -> int:
        """Tell the owners of published patents that match the call's text (the matcher, as an anonymous reader,
        so only public patents count); returns how many organisations were told."""
        probe = TechDemand(title=call.title, description=call.description, keywords=list(call.keywords or []),
                           budget_min=call.budget_min, budget_max=call.budget_max, region=call.region,
                           industry=call.industry, ipc_codes=[], indicators=[])
        try:
            results = rank(Identity.anonymous(), DEMAND_TO_PATENTS, probe, limit=PUSH_CANDIDATES)
        except EngineUnavailable:  # the call is published all the same; nobody is pushed (the event records 0)
            log.exception("search unavailable: call %s was published without pushing it to patent owners", call.id)
            return 0
        orgs = sorted({r.obj.org_id for r in results if r.score >= PUSH_MIN_SCORE} - {call.buyer_org_id})
        for org_id in orgs:
            tell(recipients_of_org(org_id), "calls.match", f"/calls/{call.id}", uow=uow,
                 title=lambda: gettext("A new call for solutions matches your patents: %(title)s", title=call.title),
                 body=lambda: gettext("Deadline: %(deadline)s", deadline=format_datetime(call.deadline)))
        return len(orgs)

    def award(self, identity: Identity, call: Call, proposal_id: int, *, uow):
        """Award ``proposal_id`` of ``call``: the proposal is awarded, the other open ones are not selected, and a
        commissioned-development deal opens between the enterprise and the proposer; returns the deal."""
        proposal = db.session.get(Proposal, proposal_id)
        if proposal is None or proposal.call_id != call.id or proposal.status not in OPEN_PROPOSAL:
            raise ValidationFailed({"proposal_id": [_l("not an open proposal to this call")]})
        proposals_service.execute_action(Identity.system(), proposal.id, "award", {}, uow=uow)
        self.close_open_proposals(call, uow=uow)
        deal = deals_service.open_awarded(identity, seller_org_id=proposal.seller_org_id, title=call.title,
                                          terms=deal_terms(call, proposal), demand_id=call.demand_id, uow=uow)
        proposal.deal_id = call.deal_id = deal.id
        return deal

    def close_open_proposals(self, call: Call, *, uow) -> int:
        """Mark every open proposal of ``call`` not selected (as the platform); returns how many."""
        ids = db.session.scalars(select(Proposal.id).where(Proposal.call_id == call.id,
                                                           Proposal.status.in_(OPEN_PROPOSAL))).all()
        for proposal_id in ids:
            proposals_service.execute_action(Identity.system(), proposal_id, "not_select", {}, uow=uow)
        return len(ids)


# ---------------------------------------------------------------- proposals


class CallView:
    """A call seen by one reader: its own attributes, with the reader-dependent ones of :meth:`CallService.view`
    in front."""

    def __init__(self, call: Call, **extras):
        self._call = call
        self.__dict__.update(extras)

    def __getattr__(self, name):
        return getattr(self._call, name)


class ProposalService(WorkflowService):
    """Proposals on the workflow engine, sealed by :class:`~app.calls.policy.ProposalPolicy`."""

    subject_label = _l("Proposal")
    link_prefix = "/calls/proposals"
    policy = proposal_policy

    def status_label(self, status) -> str:
        return PROPOSAL_STATUS_LABELS[status]

    def role_of(self, identity: Identity, obj) -> str | None:
        """The engine's role, but only for whom the policy lets read the proposal (sealed until the deadline)."""
        if not self.policy.allows("read", identity, obj):
            return None
        return WorkflowService.role_of(identity, obj)

    @staticmethod
    def _creator_role(identity: Identity, obj) -> str:
        return SELLER

    def recipients(self, obj, role: str):
        """The enterprise hears nothing of a proposal before the deadline (it is sealed)."""
        if role == BUYER and not obj.call.deadline_passed:
            return []
        return party_recipients(obj, role)

    def list(self, identity: Identity, *, statuses=None, page: int = 1, per_page: int = 20, everyone=False,
             call_id: int | None = None):
        """``(rows, total)``: proposals ``identity`` may read — its own, and to its calls after their deadline
        (platform admins: everyone's with ``everyone``); best weighted score first within a call."""
        query = select(Proposal).where(self.policy.sql_filter("read", identity, Proposal))
        if not (everyone and self.policy.allows("list_all", identity)):
            if identity.org_id is None:
                return [], 0
            query = query.where(or_(Proposal.buyer_org_id == identity.org_id,
                                    Proposal.seller_org_id == identity.org_id))
        if call_id is not None:
            query = query.where(Proposal.call_id == call_id)
        if statuses:
            try:
                query = query.where(Proposal.status.in_([self.machine.statuses(s) for s in statuses]))
            except ValueError:
                raise ValidationFailed({"status": [f"one of {[s.value for s in self.machine.statuses]}"]}) from None
        total = db.session.scalar(select(func.count()).select_from(query.subquery()))
        rows = db.session.scalars(query.order_by(Proposal.updated_at.desc(), Proposal.id.desc())
                                  .limit(per_page).offset((page - 1) * per_page)).all()
        return rows, total

    @unit_of_work
    def create(self, identity: Identity, data: dict, *, uow) -> Proposal:
        """Submit a proposal to a published call before its deadline, as an eligible university or institute."""
        calls_service.policy.require("propose", identity,
                                     message=_l("proposals come from universities and research institutes"))
        loaded = load(CreateProposalSchema, data)
        try:
            call = calls_service.get(identity, loaded["call_id"])
        except NotFound:
            raise ValidationFailed({"call_id": ["no such published call"]}) from None
        if call.status != CallStatus.published:
            raise ValidationFailed({"call_id": [_l("the call is not open for proposals")]})
        if call.deadline_passed:
            raise Conflict(_l("the call's deadline has passed"), current_status=call.status.value)
        self._check_eligible(identity, call)
        if db.session.scalar(select(Proposal.id).where(Proposal.call_id == call.id,
                                                       Proposal.seller_org_id == identity.org_id,
                                                       Proposal.status.in_(OPEN_PROPOSAL))):
            raise Conflict(_l("your organisation already proposed; revise that proposal"),
                           current_status=call.status.value)
        proposal = Proposal(call_id=call.id, call=call, title=call.title, buyer_org_id=call.buyer_org_id,
                            seller_org_id=identity.org_id, submitted_by_id=identity.user_id)
        self.apply_proposal_input(proposal, loaded)
        self.record_creation(identity, proposal, {"call_id": call.id, "price": proposal.price}, uow=uow)
        if loaded.get("attachment"):
            attach(proposal, loaded["attachment"], ActionContext(identity, SELLER, uow, utcnow(), self))
        return proposal

    @staticmethod
    def _check_eligible(identity: Identity, call: Call) -> None:
        """403 naming the first rule of the call's policy the organisation fails: an eligible kind, an eligible
        region, a confidential call's NDA accepted."""
        for action, message in (
            ("propose_as_kind", _l("your kind of organisation is not eligible for this call")),
            ("propose_from_region", _l("your organisation's region is not eligible for this call")),
            ("read_details", _l("accept the call's NDA before proposing")),
        ):
            calls_service.policy.require(action, identity, call, message=message)

    @staticmethod
    def apply_proposal_input(proposal: Proposal, data: dict) -> None:
        """Copy loaded :class:`ProposalInputSchema` fields onto ``proposal`` (milestones stored as JSON)."""
        for key in ("approach", "team", "trl_now", "trl_target", "price"):
            setattr(proposal, key, data[key])
        proposal.milestones = [{**m, "amount": f"{m['amount']:.2f}", "due": m["due"].isoformat()}
                               for m in data["milestones"]]

    # ---------------------------------------------------------------- the thread

    def messages(self, identity: Identity, proposal_id: int) -> list[ProposalMessage]:
        """The proposal's thread, oldest first (its readers)."""
        proposal = self.get(identity, proposal_id)
        return db.session.scalars(select(ProposalMessage).where(ProposalMessage.proposal_id == proposal.id)
                                  .order_by(ProposalMessage.id)).all()

    @unit_of_work
    def post_message(self, identity: Identity, proposal_id: int, data: dict, *, uow) -> ProposalMessage:
        """A question or answer between the enterprise and the proposer, after the deadline; the other side
        is told."""
        proposal = self.get(identity, proposal_id)
        self.policy.require("message", identity, proposal,
                            message=_l("the thread is between the enterprise and the proposer"))
        role = self.role_of(identity, proposal)
        if not proposal.call.deadline_passed:
            raise Conflict(_l("questions open after the deadline"), current_status=proposal.status.value)
        loaded = load(ProposalMessageInputSchema, data)
        if loaded["reply_to_id"] is not None:
            parent = db.session.get(ProposalMessage, loaded["reply_to_id"])
            if parent is None or parent.proposal_id != proposal.id:
                raise ValidationFailed({"reply_to_id": ["not a message of this proposal"]})
        message = ProposalMessage(proposal_id=proposal.id, reply_to_id=loaded["reply_to_id"], body=loaded["body"],
                                  author_id=identity.user_id, author_org_id=identity.org_id)
        uow.session.add(message)
        tell(self.recipients(proposal, other_party(role)), "calls.message", self.link(proposal), uow=uow,
             title=lambda: gettext("New message on proposal #%(id)s “%(title)s”", id=proposal.id,
                                   title=proposal.title),
             body=lambda: loaded["body"][:500])
        return message


def deal_terms(call: Call, proposal: Proposal) -> dict:
    """The agreed terms of the deal an award opens (:class:`~app.deals.schemas.OfferTermsSchema`): commissioned
    development at the proposal's price, paid milestone by milestone through the payment schedule (each funded,
    delivered, accepted against its criterion and released); a proposal without milestones is paid up front."""
    milestones = [{"title": m["title"], "amount": m["amount"], "due": m["due"], "deliverable": m["deliverable"],
                   "acceptance_criterion": m["acceptance"]} for m in proposal.milestones]
    upfront = proposal.price - sum(Decimal(m["amount"]) for m in milestones)
    return {
        "mode": "development", "territory": call.region or "中国", "field_of_use": call.title[:500],
        "payment_plan": "schedule", "upfront_fee": f"{upfront:.2f}", "milestones": milestones,
    }


calls_service = CallService(model=Call, event_model=CallEvent, document_model=None, fk="call_id",
                            documents_folder="calls", machine=CALL_MACHINE)
proposals_service = ProposalService(model=Proposal, event_model=ProposalEvent, document_model=ProposalDocument,
                                    fk="proposal_id", documents_folder=DOCUMENTS_FOLDER, machine=PROPOSAL_MACHINE)
