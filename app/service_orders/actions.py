"""The service-order workflow on the deal engine (:mod:`app.core.workflow`):

    requested ─quote→ quoted ─accept_quote→ awaiting_payment ─payment_confirmed (system)→ in_progress
    requested ─decline→ declined;  quoted ─quote (revised)→ quoted;  quoted ─decline_quote→ requested
    in_progress ─deliver_report→ report_delivered ─confirm_report (releases the money)→ completed
    cancel (refund if paid; not once the report is delivered), dispute → disputed → resolve_*; expire (system)

The customer is the ``buyer`` and the provider the ``seller`` of the engine (and of the payments package).
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core.records import store_pdf
from app.core.workflow import BUYER, SELLER, Action, Machine, WithReason
from app.service_orders.models import TERMINAL, ServiceOrderDocument
from app.service_orders.models import OrderStatus as S
from app.service_orders.schemas import QuoteSchema, ReportSchema
from app.transactions.workflow import release_held, shared_actions

DOCUMENTS_FOLDER = "service_orders"
OPEN = tuple(s for s in S if s not in TERMINAL)
CANCELLABLE = tuple(s for s in OPEN if s not in (S.report_delivered, S.disputed))
DISPUTABLE = tuple(s for s in OPEN if s != S.disputed)
EXPIRABLE = (S.requested, S.quoted, S.awaiting_payment)

STATUS_LABELS = {
    S.requested: _l("Requested"),
    S.quoted: _l("Quoted"),
    S.awaiting_payment: _l("Awaiting payment"),
    S.in_progress: _l("In progress (paid, held by the platform)"),
    S.report_delivered: _l("Report delivered"),
    S.disputed: _l("Disputed"),
    S.completed: _l("Completed"),
    S.declined: _l("Declined"),
    S.cancelled: _l("Cancelled"),
    S.expired: _l("Expired"),
}


class Quote(Action):
    """The provider quotes a price and lead time (again, to revise a quote)."""

    name = "quote"
    label = _l("Send a quote")
    status_from = (S.requested, S.quoted)
    status_to = S.quoted
    roles = frozenset({SELLER})
    schema = QuoteSchema

    def execute(self, obj, data, ctx):
        obj.quote_amount, obj.quote_lead_time_days, obj.quote_note = data["amount"], data["lead_time_days"], data.get("note")
        return {"amount": data["amount"], "lead_time_days": data["lead_time_days"], "note": data.get("note")}


class Decline(WithReason):
    """The provider declines the request, saying why."""

    name = "decline"
    roles = frozenset({SELLER})
    label = _l("Decline the request")
    status_from = (S.requested,)
    status_to = S.declined


class AcceptQuote(Action):
    """The customer accepts the quote and may pay."""

    name = "accept_quote"
    label = _l("Accept the quote")
    status_from = (S.quoted,)
    status_to = S.awaiting_payment
    roles = frozenset({BUYER})


class DeclineQuote(WithReason):
    """The customer asks for another quote, saying why."""

    name = "decline_quote"
    label = _l("Ask for another quote")
    status_from = (S.quoted,)
    status_to = S.requested
    roles = frozenset({BUYER})


class DeliverReport(Action):
    """The provider delivers the test report (a PDF) with a summary."""

    name = "deliver_report"
    label = _l("Deliver the report")
    status_from = (S.in_progress,)
    status_to = S.report_delivered
    roles = frozenset({SELLER})
    schema = ReportSchema

    def execute(self, obj, data, ctx):
        content, filename = data["report"]
        report = store_pdf(ServiceOrderDocument, DOCUMENTS_FOLDER, content, filename, uow=ctx.uow, order_id=obj.id,
                           kind="report", uploaded_by_id=ctx.identity.user_id)
        ctx.uow.session.flush()
        ctx.uow.session.expire(obj, ["documents"])
        obj.report_summary = data["summary"]
        return {"report_id": report.id, "summary": data["summary"]}


class ConfirmReport(Action):
    """The customer accepts the report: the held money goes to the provider and the order completes."""

    name = "confirm_report"
    label = _l("Accept the report and release the payment")
    status_from = (S.report_delivered,)
    status_to = S.completed
    roles = frozenset({BUYER})

    def execute(self, obj, data, ctx):
        obj.completed_at = ctx.now
        return {"released": release_held(obj, ctx)}


MACHINE = Machine(
    statuses=S,
    initial=S.requested,
    expirable=EXPIRABLE,
    actions=[
        Quote, Decline, AcceptQuote, DeclineQuote, DeliverReport, ConfirmReport,
        *shared_actions(awaiting_payment=S.awaiting_payment, paid=S.in_progress, cancellable=CANCELLABLE,
                        cancelled=S.cancelled, disputable=DISPUTABLE, disputed=S.disputed, completed=S.completed,
                        expirable=EXPIRABLE, expired=S.expired),
    ],
)
