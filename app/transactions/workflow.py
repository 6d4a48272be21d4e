"""The workflow actions every paid subject shares (deals, service orders): paying through the payments domain,
cancelling with a refund of held money, disputes and the admin's decisions, bound to one machine's statuses by
:func:`shared_actions`."""
from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

from app.core.errors import Conflict
from app.core.identity import Identity
from app.core.workflow import ADMIN, BUYER, PARTIES, SYSTEM, Action, ActionContext, Expire, WithReason, to_minor_units
from app.payments import service as payments

HELD = "held"  # the payments domain's status of money the platform holds


class PaymentEventSchema(Schema):
    """Input of the payment actions the system runs (from the payments package's callbacks)."""

    payment_id = fields.Integer(required=True, strict=True)
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


def money_held(obj) -> bool:
    """True while the platform holds the buyer's money for ``obj``."""
    payment = payments.payment_of(obj)
    return payment is not None and payment.status.value == HELD


def refund_held(obj, reason: str, ctx: ActionContext) -> int:
    """Refund everything still held for ``obj`` (as the platform, the workflow having authorised it); returns fen."""
    if not money_held(obj):
        return 0
    payment = payments.payment_of(obj)
    payments.refund(Identity.system(), obj, reason=reason, uow=ctx.uow)
    return payment.total


def release_held(obj, ctx: ActionContext) -> int:
    """Release the held money to the seller (less the platform fee); returns the fen released."""
    payment = payments.payment_of(obj)
    payments.release(Identity.system(), obj, uow=ctx.uow)
    return payment.amount


class StartPayment(Action):
    """The buyer opens a payment attempt for the agreed amount plus the platform fee (a new attempt may follow a
    failed or abandoned one); the money is held once the payment provider confirms."""

    name = "start_payment"
    label = _l("Pay")
    roles = frozenset({BUYER})

    def blocked(self, obj):
        payment = payments.payment_of(obj)
        if payment is not None and payment.status.value == HELD:
            return "the payment is already held"
        return None

    def execute(self, obj, data, ctx):
        amount = to_minor_units(obj.payable_amount)
        fee = payments.fee_for(obj.payment_mode, amount)
        payment = payments.start_payment(ctx.identity, obj, amount=amount, fee=fee,
                                         currency=current_app.config["PAYMENT_CURRENCY"], mode=obj.payment_mode,
                                         uow=ctx.uow)
        return {"payment_id": payment.id, "amount": amount, "fee": fee, "provider": payment.provider}


class PaymentConfirmed(Action):
    """The payments package reports the buyer's money held (only the system runs it; a webhook calls it)."""

    name = "payment_confirmed"
    label = _l("Payment confirmed")
    roles = frozenset({SYSTEM})
    schema = PaymentEventSchema

    def execute(self, obj, data, ctx):
        payment = payments.payment_of(obj)
        if payment is None or payment.id != data["payment_id"] or payment.status.value != HELD:
            raise Conflict(f"payment {data['payment_id']} does not hold money for this", current_status=obj.status.value)
        return {"payment_id": payment.id, "total": payment.total}


class PaymentFailed(Action):
    """The payments package reports a failed attempt; the subject keeps waiting for payment."""

    name = "payment_failed"
    label = _l("Payment failed")
    roles = frozenset({SYSTEM})
    schema = PaymentEventSchema

    def execute(self, obj, data, ctx):
        return {"payment_id": data["payment_id"], "reason": data.get("reason")}


class Cancel(WithReason):
    """A party ends the subject, giving a reason; money held is refunded in full."""

    name = "cancel"
    label = _l("Cancel")
    roles = PARTIES
    awaited = False

    def execute(self, obj, data, ctx):
        return {"reason": data["reason"], "refunded": refund_held(obj, data["reason"], ctx)}


class Dispute(WithReason):
    """A party asks a platform admin to decide; the interrupted status is remembered for a resumption."""

    name = "dispute"
    label = _l("Open a dispute")
    roles = PARTIES
    awaited = False

    def execute(self, obj, data, ctx):
        obj.disputed_from = obj.status.value
        return {"reason": data["reason"], "interrupted": obj.disputed_from}


class ResolveRefund(Cancel):
    """The admin decides for the buyer: the subject ends and money held is refunded."""

    name = "resolve_refund"
    label = _l("Decide: refund and end")
    roles = frozenset({ADMIN})
    awaited = True


class ResolveRelease(WithReason):
    """The admin decides for the seller: the held money is released and the subject completes."""

    name = "resolve_release"
    label = _l("Decide: release to the seller")
    roles = frozenset({ADMIN})

    def blocked(self, obj):
        return None if money_held(obj) else "no money is held"

    def execute(self, obj, data, ctx):
        obj.completed_at = ctx.now
        return {"reason": data["reason"], "released": release_held(obj, ctx)}


class ResolveResume(WithReason):
    """The admin lets the subject continue where the dispute interrupted it."""

    name = "resolve_resume"
    label = _l("Decide: resume")
    roles = frozenset({ADMIN})

    def target(self, obj, data):
        return type(obj.status)(obj.disputed_from)

    def execute(self, obj, data, ctx):
        return {"reason": data["reason"], "resumed": obj.disputed_from}


def shared_actions(*, awaiting_payment, paid, cancellable, cancelled, disputable, disputed, completed, expirable,
                   expired) -> list[type[Action]]:
    """The payment, cancellation, dispute and expiry actions bound to one machine's statuses."""

    def bind(base, status_from, status_to):
        return type(base.__name__, (base,), {"status_from": tuple(status_from), "status_to": status_to,
                                             "__doc__": base.__doc__, "__module__": base.__module__})

    return [
        bind(StartPayment, [awaiting_payment], awaiting_payment),
        bind(PaymentConfirmed, [awaiting_payment], paid),
        bind(PaymentFailed, [awaiting_payment], awaiting_payment),
        bind(Cancel, cancellable, cancelled),
        bind(Dispute, disputable, disputed),
        bind(ResolveRefund, [disputed], cancelled),
        bind(ResolveRelease, [disputed], completed),
        bind(ResolveResume, [disputed], tuple(disputable)),
        bind(Expire, expirable, expired),
    ]
