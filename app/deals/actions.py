"""The deal workflow: one action class per transition, and the machine they form.

    inquiry ─accept→ negotiation ⇄ nda (propose_nda / accept_nda / decline_nda)
    negotiation ─make_offer→ negotiation ─accept_offer→ agreed
    agreed ─book_pilot→ pilot_planning ─agree_pilot_plan→ pilot_testing ─pilot_passed→ agreed | ─pilot_failed→ test_failed
    agreed ─order_inspection→ inspection ─inspection_passed→ agreed | ─inspection_failed→ test_failed
    agreed | test_failed ─reopen_negotiation→ negotiation
    agreed ─generate_contract→ contract_signing ─sign_contract (both)→ contract_review
    contract_review ─approve_contract→ awaiting_payment | ─return_contract→ agreed
    contract_review ─approve_contract→ performing (terms paid through a payment schedule, see app.schedules)
    performing ─complete_schedule (system, every schedule item settled)→ completed
    awaiting_payment ─start_payment / payment_failed→ awaiting_payment ─payment_confirmed (system)→ paid
    paid ─deliver→ delivered ─confirm_delivery (releases the money)→ completed
    inquiry ─conclude_sale (system: a 挂牌/auction winner → agreed; an open licence → awaiting_payment)
    any open status: cancel (refund if paid; not once delivered), dispute → disputed → resolve_refund / resolve_release /
    resolve_resume; expire (system, after the stage deadline) for the stages that wait on a party.
"""
from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from app.core.errors import ValidationFailed
from app.core.extensions import db
from app.core.records import store_pdf
from app.core.workflow import ADMIN, BUYER, PARTIES, SELLER, SYSTEM, Action, Machine, NoteSchema, WithReason
from app.deals import contract
from app.deals.models import TERMINAL, DealDocument, DealOffer, DealTest, OfferStatus
from app.deals.models import DealStatus as S
from app.deals.schemas import (
    AgreeSchema,
    BookTestSchema,
    ConcludeSaleSchema,
    InspectionResultSchema,
    OfferTermsSchema,
    ProposeNdaSchema,
    ResultsSchema,
    has_schedule,
)
from app.notifications.service import recipients_of_org, tell
from app.service_offers.models import ServiceKind, ServiceOffer
from app.service_offers.service import service_offers_service
from app.transactions.workflow import release_held, shared_actions

DOCUMENTS_FOLDER = "deals"
OPEN = tuple(s for s in S if s not in TERMINAL)
# Once the seller delivered (or a schedule's payments began), only a dispute can undo the deal.
CANCELLABLE = tuple(s for s in OPEN if s not in (S.delivered, S.disputed, S.performing))
DISPUTABLE = tuple(s for s in OPEN if s != S.disputed)
# Stages that wait on a party (not on an admin, and no money held) expire after the stage deadline.
EXPIRABLE = (S.inquiry, S.nda, S.negotiation, S.agreed, S.pilot_planning, S.pilot_testing, S.inspection,
             S.test_failed, S.contract_signing)

STATUS_LABELS = {
    S.inquiry: _l("Inquiry"),
    S.nda: _l("NDA awaiting acceptance"),
    S.negotiation: _l("Negotiation"),
    S.agreed: _l("Terms agreed"),
    S.pilot_planning: _l("Pilot test planning"),
    S.pilot_testing: _l("Pilot test running"),
    S.inspection: _l("Inspection"),
    S.test_failed: _l("Test failed"),
    S.contract_signing: _l("Contract awaiting signatures"),
    S.contract_review: _l("Contract under platform review"),
    S.awaiting_payment: _l("Awaiting payment"),
    S.paid: _l("Paid (held by the platform)"),
    S.performing: _l("Payment schedule in progress"),
    S.delivered: _l("Delivered"),
    S.disputed: _l("Disputed"),
    S.completed: _l("Completed"),
    S.declined: _l("Declined"),
    S.cancelled: _l("Cancelled"),
    S.expired: _l("Expired"),
}

NDA_TEMPLATE = (
    "保密协议\n\n甲方（信息接收方）：{buyer}\n乙方（信息披露方）：{seller}\n\n"
    "一、乙方为洽谈“{title}”的技术合作，向甲方披露未公开的技术资料（包括但不限于工艺参数、实验数据、图纸及附件），"
    "甲方仅可将其用于评估本次合作。\n二、未经乙方书面同意，甲方不得向任何第三方披露上述资料，并应采取不低于保护自身商业秘密的措施。\n"
    "三、保密义务自双方在技桥平台确认本协议之日起生效，期限为三年；已公开或甲方独立开发的信息除外。\n"
    "四、本协议适用中华人民共和国法律。"
)


# ---------------------------------------------------------------- inquiry


class Accept(Action):
    """The seller takes up the inquiry; negotiation opens."""

    name = "accept"
    label = _l("Accept the inquiry")
    status_from = (S.inquiry,)
    status_to = S.negotiation
    roles = frozenset({SELLER})


class Decline(WithReason):
    """The seller declines the inquiry, saying why."""

    name = "decline"
    label = _l("Decline the inquiry")
    status_from = (S.inquiry,)
    status_to = S.declined
    roles = frozenset({SELLER})


class FixAwardedTerms(Action):
    """A deal opened by the award of a call for solutions (:mod:`app.calls`) starts with the winning proposal's
    terms: the proposal was the seller's offer and the award the buyer's acceptance, so the platform records the
    agreement at once. Only such a deal carries terms while still an inquiry."""

    name = "fix_awarded_terms"
    label = _l("Terms fixed by the award of a call for solutions")
    status_from = (S.inquiry,)
    status_to = S.agreed
    roles = frozenset({SYSTEM})

    def blocked(self, obj):
        return None if obj.terms else "only the award of a call for solutions fixes terms at the inquiry"


# ---------------------------------------------------------------- NDA


class CounterpartyOnly(Action):
    """Actions answering the other party's step: the party that took the step (``proposer``) may not answer it."""

    def proposer(self, obj) -> str | None:
        raise NotImplementedError

    def permits(self, role, obj):
        return role != self.proposer(obj)


class ProposeNda(Action):
    """A party proposes an NDA (its text, or the platform template) and accepts it by proposing."""

    name = "propose_nda"
    label = _l("Propose an NDA")
    status_from = (S.negotiation,)
    status_to = S.nda
    roles = PARTIES
    schema = ProposeNdaSchema

    def blocked(self, obj):
        return "an NDA is already in force" if obj.nda_signed_at else None

    def execute(self, obj, data, ctx):
        obj.nda_text = data.get("text") or NDA_TEMPLATE.format(buyer=obj.buyer_org.name, seller=obj.seller_org.name,
                                                              title=obj.title)
        obj.nda_proposed_by = ctx.role
        return {"text": obj.nda_text}


class AcceptNda(CounterpartyOnly):
    """The other party accepts the NDA: both have now accepted it and confidential material unlocks."""

    name = "accept_nda"
    label = _l("Accept the NDA")
    status_from = (S.nda,)
    status_to = S.negotiation
    roles = PARTIES
    schema = AgreeSchema

    def proposer(self, obj):
        return obj.nda_proposed_by

    def execute(self, obj, data, ctx):
        obj.nda_signed_at = ctx.now
        return {"signed_at": ctx.now.isoformat()}


class DeclineNda(CounterpartyOnly, WithReason):
    """The other party declines the NDA; negotiation goes on without confidential material."""

    name = "decline_nda"
    label = _l("Decline the NDA")
    status_from = (S.nda,)
    status_to = S.negotiation
    roles = PARTIES

    def proposer(self, obj):
        return obj.nda_proposed_by

    def execute(self, obj, data, ctx):
        obj.nda_text = obj.nda_proposed_by = None
        return super().execute(obj, data, ctx)


# ---------------------------------------------------------------- negotiation


class MakeOffer(Action):
    """A party puts structured terms on the table; a counter-offer replaces the other side's open offer."""

    name = "make_offer"
    label = _l("Make an offer")
    status_from = (S.negotiation,)
    status_to = S.negotiation
    roles = PARTIES
    schema = OfferTermsSchema

    def execute(self, obj, data, ctx):
        _close_open_offers(obj, OfferStatus.superseded)
        terms = OfferTermsSchema().stored(data)
        offer = DealOffer(deal_id=obj.id, made_by=ctx.role, made_by_user_id=ctx.identity.user_id, terms=terms)
        ctx.uow.session.add(offer)
        ctx.uow.session.flush()
        return {"offer_id": offer.id, "terms": terms}


class AcceptOffer(CounterpartyOnly):
    """The other party accepts the offer on the table; its terms become the deal's terms."""

    name = "accept_offer"
    label = _l("Accept the offer")
    status_from = (S.negotiation,)
    status_to = S.agreed
    roles = PARTIES

    def proposer(self, obj):
        offer = obj.latest_offer
        return offer.made_by if offer else None

    def blocked(self, obj):
        return None if obj.latest_offer else "there is no offer on the table"

    def execute(self, obj, data, ctx):
        offer = obj.latest_offer
        offer.status = OfferStatus.accepted
        obj.terms = offer.terms
        return {"offer_id": offer.id}


class ReopenNegotiation(WithReason):
    """A party reopens the terms (after a failed test, or before the contract); agreed terms lapse."""

    name = "reopen_negotiation"
    label = _l("Reopen negotiation")
    status_from = (S.agreed, S.test_failed)
    status_to = S.negotiation
    roles = PARTIES

    def execute(self, obj, data, ctx):
        obj.terms = obj.contract = None
        return super().execute(obj, data, ctx)


def _close_open_offers(deal, status: OfferStatus) -> None:
    db.session.execute(update(DealOffer).where(DealOffer.deal_id == deal.id, DealOffer.status == OfferStatus.open)
                       .values(status=status))
    db.session.expire(deal, ["offers"])


# ---------------------------------------------------------------- pilot test and inspection


class BookTest(Action):
    """A party books a provider's published service offer of kind ``kind`` with a plan (or scope)."""

    kind: ServiceKind
    status_from = (S.agreed,)
    roles = PARTIES
    schema = BookTestSchema

    def execute(self, obj, data, ctx):
        offer = ctx.uow.session.get(ServiceOffer, data["service_offer_id"])
        bookable = offer is not None and service_offers_service.policy.allows("book", ctx.identity, offer)
        if not bookable or offer.kind != self.kind:
            raise ValidationFailed({"service_offer_id": [f"not a published {self.kind.value} service offer"]})
        test = DealTest(deal_id=obj.id, kind=self.kind.value, service_offer_id=offer.id, requested_by=ctx.role,
                        plan=data["plan"])
        ctx.uow.session.add(test)
        ctx.uow.session.flush()
        db.session.expire(obj, ["tests"])
        # The provider is not a party to the deal, but must hear it was booked.
        tell(recipients_of_org(offer.org_id), f"deals.{self.name}", f"/services/{offer.id}", uow=ctx.uow,
             title=lambda: gettext("Your service “%(offer)s” was booked for “%(title)s”", offer=offer.title,
                                   title=obj.title),
             body=lambda: data["plan"])
        return {"test_id": test.id, "service_offer_id": offer.id, "plan": data["plan"]}


class BookPilot(BookTest):
    """Book a pilot-scale test (中试)."""

    name = "book_pilot"
    label = _l("Book a pilot-scale test")
    status_to = S.pilot_planning
    kind = ServiceKind.pilot


class OrderInspection(BookTest):
    """Order an inspection (检验检测)."""

    name = "order_inspection"
    label = _l("Order an inspection")
    status_to = S.inspection
    kind = ServiceKind.inspection


class AgreePilotPlan(CounterpartyOnly):
    """The party that did not book the pilot agrees its plan; the test runs."""

    name = "agree_pilot_plan"
    label = _l("Agree the test plan")
    status_from = (S.pilot_planning,)
    status_to = S.pilot_testing
    roles = PARTIES

    def proposer(self, obj):
        test = obj.current_test("pilot")
        return test.requested_by if test else None

    def execute(self, obj, data, ctx):
        obj.current_test("pilot").plan_agreed_at = ctx.now
        return {}


class RecordVerdict(Action):
    """The buyer, whom the test must convince, records results and the verdict of the current test."""

    kind = ""
    verdict = ""
    roles = frozenset({BUYER})
    schema = ResultsSchema

    def execute(self, obj, data, ctx):
        test = obj.current_test(self.kind)
        test.results, test.verdict, test.decided_at = data["results"], self.verdict, ctx.now
        payload = {"test_id": test.id, "verdict": self.verdict, "results": data["results"]}
        if "report" in data:
            content, filename = data["report"]
            report = store_pdf(DealDocument, DOCUMENTS_FOLDER, content, filename, uow=ctx.uow, deal_id=obj.id,
                               kind="inspection_report", uploaded_by_id=ctx.identity.user_id)
            ctx.uow.session.flush()
            test.report_id = report.id
            payload["report_id"] = report.id
        return payload


class PilotPassed(RecordVerdict):
    """The pilot-scale test convinced the buyer: back to the agreed terms, on to the contract."""

    name = "pilot_passed"
    label = _l("Pilot test passed")
    status_from = (S.pilot_testing,)
    status_to = S.agreed
    kind, verdict = "pilot", "pass"


class PilotFailed(RecordVerdict):
    """The pilot-scale test failed: renegotiate or end the deal."""

    name = "pilot_failed"
    label = _l("Pilot test failed")
    status_from = (S.pilot_testing,)
    status_to = S.test_failed
    kind, verdict = "pilot", "fail"


class InspectionPassed(RecordVerdict):
    """The lab's report (a PDF) shows the technology meets the indicators."""

    name = "inspection_passed"
    label = _l("Inspection passed (upload the report)")
    status_from = (S.inspection,)
    status_to = S.agreed
    schema = InspectionResultSchema
    kind, verdict = "inspection", "pass"


class InspectionFailed(RecordVerdict):
    """The lab's report (a PDF) shows it does not: renegotiate or end the deal."""

    name = "inspection_failed"
    label = _l("Inspection failed (upload the report)")
    status_from = (S.inspection,)
    status_to = S.test_failed
    schema = InspectionResultSchema
    kind, verdict = "inspection", "fail"


# ---------------------------------------------------------------- contract


class GenerateContract(Action):
    """A party generates the contract from the agreed terms (a snapshot; earlier signatures lapse)."""

    name = "generate_contract"
    label = _l("Generate the contract")
    status_from = (S.agreed,)
    status_to = S.contract_signing
    roles = PARTIES

    def execute(self, obj, data, ctx):
        obj.contract = contract.snapshot(obj, ctx.now)
        _clear_signatures(obj)
        return {"number": obj.contract["number"]}


class SignContract(Action):
    """A party signs by ticking "I agree" (who and when are recorded); the second signature sends it to review."""

    name = "sign_contract"
    label = _l("Sign the contract")
    status_from = (S.contract_signing,)
    status_to = (S.contract_signing, S.contract_review)
    roles = PARTIES
    schema = AgreeSchema

    def permits(self, role, obj):
        return getattr(obj, f"{role}_signed_at") is None

    def execute(self, obj, data, ctx):
        setattr(obj, f"{ctx.role}_signed_at", ctx.now)
        setattr(obj, f"{ctx.role}_signer_id", ctx.identity.user_id)
        return {"signed_at": ctx.now.isoformat(), "contract": obj.contract["number"]}

    def target(self, obj, data):
        return S.contract_review if obj.buyer_signed_at and obj.seller_signed_at else S.contract_signing


# Called as ``builder(deal, ctx)`` when a contract paid through a payment schedule is approved; the schedules
# package (which builds on deals) registers its builder here, so deals never import it.
SCHEDULE_BUILDERS: list = []


class ApproveContract(Action):
    """A platform admin approves the signed contract; the buyer may pay (the upfront fee, or the schedule's items)."""

    name = "approve_contract"
    label = _l("Approve the contract")
    status_from = (S.contract_review,)
    status_to = (S.awaiting_payment, S.performing)
    roles = frozenset({ADMIN})

    def execute(self, obj, data, ctx):
        obj.approved_at, obj.approved_by_id = ctx.now, ctx.identity.user_id
        if has_schedule(obj.terms):
            for build in SCHEDULE_BUILDERS:
                build(obj, ctx)
        return {}

    def target(self, obj, data):
        return S.performing if has_schedule(obj.terms) else S.awaiting_payment


class ReturnContract(WithReason):
    """A platform admin sends the contract back with reasons; the parties fix the terms and regenerate it."""

    name = "return_contract"
    label = _l("Return the contract")
    status_from = (S.contract_review,)
    status_to = S.agreed
    roles = frozenset({ADMIN})

    def execute(self, obj, data, ctx):
        _clear_signatures(obj)
        return super().execute(obj, data, ctx)


def _clear_signatures(deal) -> None:
    deal.buyer_signed_at = deal.buyer_signer_id = deal.seller_signed_at = deal.seller_signer_id = None


# ---------------------------------------------------------------- payment, delivery, completion


class Deliver(Action):
    """The seller reports delivery (documents, know-how transfer, patent assignment filing …)."""

    name = "deliver"
    label = _l("Confirm delivery (seller)")
    status_from = (S.paid,)
    status_to = S.delivered
    roles = frozenset({SELLER})
    schema = NoteSchema

    def execute(self, obj, data, ctx):
        obj.delivered_at = ctx.now
        return {"note": data.get("note")}


class ConfirmDelivery(Action):
    """The buyer confirms receipt: the held money goes to the seller (less the platform fee) and the deal completes."""

    name = "confirm_delivery"
    label = _l("Confirm receipt and release the payment")
    status_from = (S.delivered,)
    status_to = S.completed
    roles = frozenset({BUYER})

    def execute(self, obj, data, ctx):
        obj.completed_at = ctx.now
        return {"released": release_held(obj, ctx)}


# ---------------------------------------------------------------- public sales (app.sales)


class ConcludeSale(Action):
    """A public sale (挂牌, auction or open licence, :mod:`app.sales`) fixes the terms of a deal it opened.

    A 挂牌 or auction winner's deal continues at ``agreed`` (the contract follows as for any deal). An open licence
    is taken on the patentee's published standard terms, which the buyer accepted at checkout: the contract is
    generated, counts as signed by both and approved, and the deal goes straight to payment.
    """

    name = "conclude_sale"
    label = _l("Concluded by a public sale")
    status_from = (S.inquiry,)
    status_to = (S.agreed, S.awaiting_payment)
    roles = frozenset({SYSTEM})
    schema = ConcludeSaleSchema

    def execute(self, obj, data, ctx):
        obj.terms = OfferTermsSchema().stored(data["terms"])
        if data["standard_terms"]:
            obj.contract = contract.snapshot(obj, ctx.now)
            obj.buyer_signed_at = obj.seller_signed_at = obj.approved_at = ctx.now
        return {"sale_id": data["sale_id"], "terms": obj.terms, "standard_terms": data["standard_terms"]}

    def target(self, obj, data):
        return S.awaiting_payment if data["standard_terms"] else S.agreed


class CompleteSchedule(Action):
    """The platform completes a deal whose payment schedule is settled (every item released or settled)."""

    name = "complete_schedule"
    label = _l("Payment schedule settled")
    status_from = (S.performing,)
    status_to = S.completed
    roles = frozenset({SYSTEM})

    def execute(self, obj, data, ctx):
        obj.completed_at = ctx.now
        return {}


MACHINE = Machine(
    statuses=S,
    initial=S.inquiry,
    expirable=EXPIRABLE,
    actions=[
        Accept, Decline, FixAwardedTerms, ProposeNda, AcceptNda, DeclineNda, MakeOffer, AcceptOffer, ReopenNegotiation,
        BookPilot, AgreePilotPlan, PilotPassed, PilotFailed, OrderInspection, InspectionPassed, InspectionFailed,
        GenerateContract, SignContract, ApproveContract, ReturnContract, Deliver, ConfirmDelivery, ConcludeSale, CompleteSchedule,
        *shared_actions(awaiting_payment=S.awaiting_payment, paid=S.paid, cancellable=CANCELLABLE,
                        cancelled=S.cancelled, disputable=DISPUTABLE, disputed=S.disputed, completed=S.completed,
                        expirable=EXPIRABLE, expired=S.expired),
    ],
)
