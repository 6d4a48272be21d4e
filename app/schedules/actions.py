"""The schedule-item workflow: one action class per transition, on the deals' workflow engine.

    scheduled ─open (system)→ awaiting_payment (upfront, instalment, milestone, shortfall) | awaiting_report (royalty)
                              | settled (a shortfall of zero)
    awaiting_report | report_disputed ─file_report (buyer: sales + PDF evidence)→ report_filed
    report_filed ─accept_report (seller)→ awaiting_payment | settled (no royalty due) ; ─dispute_report→ report_disputed
    awaiting_payment ─start_payment / payment_failed→ awaiting_payment ─payment_confirmed (system)→ funded
    funded ─release (buyer; not milestones)→ released
    funded | rejected ─deliver (seller; milestones)→ delivered ─accept_delivery (buyer)→ released
                                                             ─reject_delivery (buyer, reasons)→ rejected
    any open status: dispute → disputed → resolve_refund (→ cancelled) / resolve_release / resolve_resume
    released ─reverse (admin desk)→ reversed
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

from app.core.formatting import local_date
from app.core.records import PdfUpload, store_pdf
from app.core.workflow import ADMIN, BUYER, SELLER, SYSTEM, Action, Machine, WithReason
from app.payments import reversals
from app.schedules.models import ItemKind, ScheduleDocument
from app.schedules.models import ItemStatus as S
from app.schedules.plan import fen, royalty_of
from app.transactions.schemas import decimal
from app.transactions.workflow import release_held, shared_actions

DOCUMENTS_FOLDER = "schedules"
DISPUTABLE = (S.awaiting_report, S.report_filed, S.report_disputed, S.awaiting_payment, S.funded, S.delivered,
              S.rejected)

STATUS_LABELS = {
    S.scheduled: _l("Scheduled"),
    S.awaiting_report: _l("Awaiting the royalty report"),
    S.report_filed: _l("Royalty report filed"),
    S.report_disputed: _l("Royalty report disputed"),
    S.awaiting_payment: _l("Awaiting payment"),
    S.funded: _l("Funded (held by the platform)"),
    S.delivered: _l("Delivered, awaiting acceptance"),
    S.rejected: _l("Delivery rejected"),
    S.disputed: _l("Disputed"),
    S.released: _l("Released to the seller"),
    S.settled: _l("Settled (nothing due)"),
    S.cancelled: _l("Cancelled and refunded"),
    S.reversed: _l("Reversed and refunded"),
}
KIND_LABELS = {
    ItemKind.upfront: _l("Upfront fee"), ItemKind.instalment: _l("Instalment"), ItemKind.milestone: _l("Milestone"),
    ItemKind.royalty: _l("Royalty"), ItemKind.shortfall: _l("Minimum royalty shortfall"),
}


class RoyaltyReportSchema(Schema):
    """A royalty report: the period's sales (CNY) and the PDF evidence (sales statement, invoices)."""

    sales = decimal(required=True, metadata={"description": "Net sales of the period (CNY)"})
    evidence = PdfUpload(required=True)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5000))


class DeliverySchema(Schema):
    """A milestone delivery: what was delivered, optionally with a PDF (report, acceptance record)."""

    note = fields.String(required=True, validate=validate.Length(min=2, max=5000))
    document = PdfUpload(load_default=None)


class ReversalSchema(Schema):
    """The dispute desk's reversal of a released payment."""

    reason = fields.String(required=True, validate=validate.Length(min=2, max=2000))
    method = fields.String(required=True, validate=validate.OneOf(reversals.METHODS))
    reference = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))


class ForKinds(Action):
    """An action that applies to some item kinds only (others never see it, and get 409 if they ask)."""

    kinds: frozenset = frozenset()

    def blocked(self, obj):
        return None if obj.kind in self.kinds else f"not an action of a {obj.kind.value} item"


class Open(Action):
    """The platform opens a new item: a royalty period waits for its report, any other item for its funding."""

    name = "open"
    label = _l("Opened")
    status_from = (S.scheduled,)
    status_to = (S.awaiting_payment, S.awaiting_report, S.settled)
    roles = frozenset({SYSTEM})

    def target(self, obj, data):
        if obj.kind == ItemKind.royalty:
            return S.awaiting_report
        return S.awaiting_payment if obj.amount else S.settled


class FileReport(ForKinds):
    """The licensee files the period's royalty report; the royalty is the rate times the sales."""

    name = "file_report"
    label = _l("File the royalty report")
    status_from = (S.awaiting_report, S.report_disputed)
    status_to = S.report_filed
    roles = frozenset({BUYER})
    schema = RoyaltyReportSchema
    kinds = frozenset({ItemKind.royalty})

    def execute(self, obj, data, ctx):
        obj.sales = fen(data["sales"])
        obj.amount = royalty_of(obj.sales, obj.royalty_rate)
        obj.report_filed_at = ctx.now
        obj.report_late = obj.due_date is not None and local_date(ctx.now) > obj.due_date
        content, filename = data["evidence"]
        document = store_pdf(ScheduleDocument, DOCUMENTS_FOLDER, content, filename, uow=ctx.uow, item_id=obj.id,
                             kind="royalty_report", uploaded_by_id=ctx.identity.user_id)
        ctx.uow.session.flush()
        return {"sales": obj.sales, "royalty": obj.amount, "rate": obj.royalty_rate, "late": obj.report_late,
                "document_id": document.id, "note": data.get("note")}


class AcceptReport(Action):
    """The licensor accepts the report: its royalty is due (or the period settles when nothing is)."""

    name = "accept_report"
    label = _l("Accept the royalty report")
    status_from = (S.report_filed,)
    status_to = (S.awaiting_payment, S.settled)
    roles = frozenset({SELLER})

    def execute(self, obj, data, ctx):
        return {"royalty": obj.amount}

    def target(self, obj, data):
        return S.awaiting_payment if obj.amount else S.settled


class DisputeReport(WithReason):
    """The licensor disputes the report with reasons; the licensee files a corrected one."""

    name = "dispute_report"
    label = _l("Dispute the royalty report")
    status_from = (S.report_filed,)
    status_to = S.report_disputed
    roles = frozenset({SELLER})


class Releasing(Action):
    """An action that releases the held money to the seller (less the platform fee)."""

    def execute(self, obj, data, ctx):
        obj.completed_at = ctx.now
        return {"released": release_held(obj, ctx)}


class Release(ForKinds, Releasing):
    """The buyer confirms a funded upfront fee, instalment, royalty or shortfall: the seller is paid."""

    name = "release"
    label = _l("Confirm and release the payment")
    status_from = (S.funded,)
    status_to = S.released
    roles = frozenset({BUYER})
    kinds = frozenset(set(ItemKind) - {ItemKind.milestone})


class Deliver(ForKinds):
    """The seller delivers a funded milestone (again, after a rejection)."""

    name = "deliver"
    label = _l("Deliver the milestone")
    status_from = (S.funded, S.rejected)
    status_to = S.delivered
    roles = frozenset({SELLER})
    schema = DeliverySchema
    kinds = frozenset({ItemKind.milestone})

    def execute(self, obj, data, ctx):
        obj.delivered_at = ctx.now
        payload = {"note": data["note"]}
        if data.get("document"):
            content, filename = data["document"]
            document = store_pdf(ScheduleDocument, DOCUMENTS_FOLDER, content, filename, uow=ctx.uow, item_id=obj.id,
                                 kind="deliverable", uploaded_by_id=ctx.identity.user_id)
            ctx.uow.session.flush()
            payload["document_id"] = document.id
        return payload


class AcceptDelivery(Releasing):
    """The buyer accepts the delivery against the acceptance criterion: the milestone's money is released."""

    name = "accept_delivery"
    label = _l("Accept the delivery and release the payment")
    status_from = (S.delivered,)
    status_to = S.released
    roles = frozenset({BUYER})


class RejectDelivery(WithReason):
    """The buyer rejects the delivery, saying why; the seller may deliver again (or a party disputes)."""

    name = "reject_delivery"
    label = _l("Reject the delivery")
    status_from = (S.delivered,)
    status_to = S.rejected
    roles = frozenset({BUYER})


class Reverse(Action):
    """The dispute desk takes a released payment back from the seller and refunds the buyer."""

    name = "reverse"
    label = _l("Reverse the released payment")
    status_from = (S.released,)
    status_to = S.reversed
    roles = frozenset({ADMIN})
    schema = ReversalSchema
    awaited = False

    def execute(self, obj, data, ctx):
        row = reversals.reverse_release(ctx.identity, obj, method=data["method"], reason=data["reason"],
                                        reference=data.get("reference"), uow=ctx.uow)
        return {"refunded": row.amount, "method": data["method"], "reason": data["reason"],
                "reference": data.get("reference")}


MACHINE = Machine(
    statuses=S,
    initial=S.scheduled,
    expirable=(),
    actions=[
        Open, FileReport, AcceptReport, DisputeReport, Release, Deliver, AcceptDelivery, RejectDelivery, Reverse,
        *shared_actions(awaiting_payment=S.awaiting_payment, paid=S.funded, cancellable=(), cancelled=S.cancelled,
                        disputable=DISPUTABLE, disputed=S.disputed, completed=S.released, expirable=(),
                        expired=S.cancelled),
    ],
)
