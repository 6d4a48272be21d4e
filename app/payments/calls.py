"""Calls to the payment provider, each made with no database transaction open: record the intent, call, record
the result.

A service that needs the provider to act (open, capture or cancel a PaymentIntent, refund, pay a seller by
Connect transfer, reverse that transfer) records a :class:`ProviderCall` — pending, with an idempotency key — with
:func:`record`, in its own unit of work and beside the rows the call carries out (a refund, a payout, ledger
entries). Only once that unit committed is the provider called (:class:`CallAfterCommit`); a second unit of work
records the answer. A call left pending (the provider unreachable, or the process gone between the call and the
recording) is made again by :func:`retry_pending` (``flask payments retry``, and the outbox worker) with the same
idempotency key, so the provider answers with its first result and no money moves twice. Calls of one payment are
made in the order they were recorded: a call waits while an earlier call of its payment is pending (no refund
before the capture it refunds).

A refusal by the provider ends a call according to what it carries out:

* opening a PaymentIntent: the attempt fails with the provider's reason and the caller hears it (HTTP 502); the
  buyer starts a new attempt;
* a Connect transfer the provider refused: the payout stays pending for an admin to pay by bank (a transfer the
  provider could not decide on stays pending, and is retried);
* capture, cancel, refund, transfer reversal: decisions already booked in the ledger; the call stays pending, with
  its error, and is retried until the provider carries it out.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from app.core.extensions import db
from app.core.models import utcnow
from app.core.uow import Operation, UnitOfWork
from app.notifications.service import notify, recipients_of_org
from app.payments import ledger
from app.payments.models import (
    LedgerAccount,
    Payment,
    PaymentRefund,
    PaymentStatus,
    Payout,
    PayoutStatus,
    ProviderCall,
    ProviderCallKind,
    ProviderCallStatus,
    format_money,
)
from app.payments.providers import ProviderError, provider_named

log = logging.getLogger(__name__)

Kind = ProviderCallKind
PENDING = ProviderCallStatus.pending


def record(kind: ProviderCallKind, payment: Payment, *, key: str, uow, amount: int | None = None, refund=None,
           payout: Payout | None = None) -> ProviderCall:
    """Record that the provider is to make ``kind`` for ``payment`` (idempotency ``key``); it is called once
    ``uow`` committed. Returns the pending call."""
    call = ProviderCall(kind=kind, payment_id=payment.id, refund_id=refund.id if refund is not None else None,
                        payout_id=payout.id if payout is not None else None, amount=amount, idempotency_key=key)
    uow.session.add(call)
    uow.session.flush()
    uow.register(CallAfterCommit(call.id, kind))
    return call


def resume(payment: Payment, *, uow) -> None:
    """Make again, once ``uow`` committed, the calls of ``payment`` left pending (a double click after a crash)."""
    for call_id, kind in uow.session.execute(
            select(ProviderCall.id, ProviderCall.kind)
            .where(ProviderCall.payment_id == payment.id, ProviderCall.status == PENDING).order_by(ProviderCall.id)):
        uow.register(CallAfterCommit(call_id, kind))


def pending_calls(payment_id: int) -> list[ProviderCall]:
    """The calls of one payment the provider has not carried out yet, oldest first."""
    return list(db.session.scalars(select(ProviderCall).where(ProviderCall.payment_id == payment_id,
                                                              ProviderCall.status == PENDING)
                                   .order_by(ProviderCall.id)))


class CallAfterCommit(Operation):
    """Make a recorded call once the unit that recorded it committed; a PaymentIntent the provider would not
    open is passed on to the caller (HTTP 502), its attempt already recorded as failed."""

    outside = True

    def __init__(self, call_id: int, kind: ProviderCallKind):
        self.call_id = call_id
        self.reraises = (ProviderError,) if kind == Kind.create_intent else ()

    def on_commit(self, uow) -> None:
        perform(self.call_id)

    def __repr__(self) -> str:
        return f"CallAfterCommit({self.call_id})"


@dataclass(frozen=True)
class _Request:
    """What one call sends, read from the rows before the call: ``send`` is None when nothing is left to send."""

    kind: ProviderCallKind
    send: Callable[[], object] | None


def perform(call_id: int) -> ProviderCallStatus | None:
    """Make one pending call: read it (then end that transaction), call the provider with no transaction open,
    record the answer. Returns the call's status after, or None when it was not due (done already, or waiting
    for an earlier call of its payment). Raises the provider's refusal to open a PaymentIntent."""
    request = _prepare(call_id)
    if request is None:
        return None
    try:
        answer = request.send() if request.send is not None else None
    except ProviderError as error:
        log.warning("payment provider call %s (%s) failed: %s", call_id, request.kind.value, error.message)
        status = _record_failure(call_id, error)
        if request.kind == Kind.create_intent:
            raise
        return status
    return _record_answer(call_id, answer)


def _send(provider_name: str, method: str, *args, **kwargs):
    """Call ``method`` of the provider named ``provider_name`` (configured from the app, no database)."""
    return getattr(provider_named(provider_name), method)(*args, **kwargs)


def retry_pending(*, older_than: timedelta | None = None) -> tuple[int, int]:
    """Make again every pending call (recorded at least ``older_than`` ago), oldest first, with its idempotency
    key; returns ``(completed, still pending)``."""
    with UnitOfWork() as uow:
        query = select(ProviderCall.id).where(ProviderCall.status == PENDING).order_by(ProviderCall.id)
        if older_than is not None:
            query = query.where(ProviderCall.created_at <= utcnow() - older_than)
        call_ids = list(uow.session.scalars(query))
    completed = 0
    for call_id in call_ids:
        try:
            status = perform(call_id)
        except ProviderError:  # the failed attempt is recorded; nobody waits for this answer
            status = ProviderCallStatus.failed
        completed += status not in (None, PENDING)
    with UnitOfWork() as uow:  # another worker may have completed some of them meanwhile
        pending = uow.session.scalar(select(func.count()).select_from(ProviderCall).where(
            ProviderCall.id.in_(call_ids), ProviderCall.status == PENDING)) if call_ids else 0
    return completed, pending


def drain() -> int:
    """The outbox worker's pass: retry calls pending for a minute (younger ones are still being made)."""
    return retry_pending(older_than=timedelta(minutes=1))[0]


# ---------------------------------------------------------------- before the call


def _prepare(call_id: int) -> _Request | None:
    with UnitOfWork() as uow:  # reads only; committing ends the transaction before the provider is called
        call = uow.session.get(ProviderCall, call_id)
        if call is None or call.status != PENDING:
            return None
        earlier = uow.session.scalar(select(ProviderCall.id).where(
            ProviderCall.payment_id == call.payment_id, ProviderCall.id < call.id, ProviderCall.status == PENDING
        ).limit(1))
        if earlier is not None:
            return None
        return _Request(call.kind, _REQUESTS[call.kind](call, call.payment, partial(_send, call.payment.provider)))


def _create_intent(call, payment, provider):
    return partial(provider, "create_intent", amount=payment.total, currency=payment.currency,
                   idempotency_key=call.idempotency_key,
                   metadata={"payment_key": payment.idempotency_key, "payable_kind": payment.payable_kind,
                             "payable_id": str(payment.payable_id)})


def _capture(call, payment, provider):
    return partial(provider, "capture", payment.provider_ref, amount=call.amount, idempotency_key=call.idempotency_key)


def _cancel(call, payment, provider):
    if payment.provider_ref is None:  # its PaymentIntent was never opened: nothing to cancel
        return None
    return partial(provider, "cancel", payment.provider_ref, idempotency_key=call.idempotency_key)


def _refund(call, payment, provider):
    return partial(provider, "refund", payment.provider_ref, amount=call.amount, idempotency_key=call.idempotency_key)


def _transfer(call, payment, provider):
    payout = db.session.get(Payout, call.payout_id)
    return partial(provider, "transfer", amount=payout.amount, currency=payout.currency,
                   destination=payout.stripe_account_id, source_transaction=payment.charge_ref,
                   metadata={"payment_key": payment.idempotency_key}, idempotency_key=call.idempotency_key)


def _reverse_transfer(call, payment, provider):
    payout = db.session.get(Payout, call.payout_id)
    return partial(provider, "reverse_transfer", payout.transfer_ref, amount=call.amount,
                   idempotency_key=call.idempotency_key)


_REQUESTS = {Kind.create_intent: _create_intent, Kind.capture: _capture, Kind.cancel: _cancel,
             Kind.refund: _refund, Kind.transfer: _transfer, Kind.reverse_transfer: _reverse_transfer}


# ---------------------------------------------------------------- after the call


def _locked_call(uow, call_id: int) -> ProviderCall | None:
    """The call, locked, if still pending: of two workers that made the same call, one records its answer."""
    call = uow.session.scalars(select(ProviderCall).where(ProviderCall.id == call_id).with_for_update()).first()
    return call if call is not None and call.status == PENDING else None


def _record_answer(call_id: int, answer) -> ProviderCallStatus | None:
    with UnitOfWork() as uow:
        call = _locked_call(uow, call_id)
        if call is None:
            return None
        call.attempts += 1
        call.status, call.completed_at, call.last_error = ProviderCallStatus.succeeded, utcnow(), None
        call.result_ref = _ANSWERS[call.kind](call, answer, uow)
        return call.status


def _intent_opened(call, state, uow):
    call.payment.provider_ref, call.payment.client_secret = state.id, state.client_secret
    return state.id


def _captured(call, state, uow):
    call.payment.charge_ref = state.charge_id or call.payment.charge_ref
    return state.charge_id


def _cancelled(call, state, uow):
    return state.id if state is not None else None


def _refunded(call, refund_ref, uow):
    if call.refund_id is not None:
        uow.session.get(PaymentRefund, call.refund_id).provider_ref = refund_ref
    return refund_ref


def _transferred(call, transfer_ref, uow):
    payout = uow.session.get(Payout, call.payout_id)
    payout.transfer_ref, payout.failure_message = transfer_ref, None
    mark_paid(payout, by_user_id=None, uow=uow)
    return transfer_ref


def _reversed(call, reversal_ref, uow):
    uow.session.get(Payout, call.payout_id).reference = reversal_ref
    return reversal_ref


_ANSWERS = {Kind.create_intent: _intent_opened, Kind.capture: _captured, Kind.cancel: _cancelled,
            Kind.refund: _refunded, Kind.transfer: _transferred, Kind.reverse_transfer: _reversed}


def _record_failure(call_id: int, error: ProviderError) -> ProviderCallStatus | None:
    with UnitOfWork() as uow:
        call = _locked_call(uow, call_id)
        if call is None:
            return None
        call.attempts += 1
        call.last_error = error.message[:2000]
        if call.kind == Kind.create_intent:
            payment = call.payment
            payment.status = PaymentStatus.failed
            payment.failure_code = (error.extra.get("code") or "provider_error")[:64]
            payment.failure_message = error.message
            call.status, call.completed_at = ProviderCallStatus.failed, utcnow()
        elif call.kind == Kind.transfer and not error.retryable:
            uow.session.get(Payout, call.payout_id).failure_message = error.message
            call.status, call.completed_at = ProviderCallStatus.failed, utcnow()
        return call.status


def mark_paid(payout: Payout, *, by_user_id: int | None, uow) -> None:
    """The seller was paid (a Connect transfer went through, or an admin recorded a bank transfer): the payable
    becomes a payout in the ledger and the seller's members hear of it, in their language."""
    payout.status = PayoutStatus.paid
    payout.paid_at = utcnow()
    payout.recorded_by_user_id = by_user_id
    ledger.post("payout", [(LedgerAccount.seller_payable, payout.org_id, -payout.amount),
                           (LedgerAccount.payout, payout.org_id, payout.amount)],
                currency=payout.currency, payment=payout.payment, payout=payout, session=uow.session)
    amount = format_money(payout.amount, payout.currency)
    reference = payout.reference or payout.transfer_ref
    for user in recipients_of_org(payout.org_id):
        with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
            title = gettext("Payout sent: %(amount)s", amount=amount)
            body = gettext("The platform paid out %(amount)s (reference %(ref)s).", amount=amount, ref=reference)
        notify([user], "payout_paid", title, body, uow=uow)
