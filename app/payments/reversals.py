"""Reversals after release: money already released to a seller is taken back and refunded to the buyer.

Only the dispute desk decides this (platform admins; a workflow action run for them). The seller's share comes
back one of three ways — the pending payout is cancelled (nothing left the platform yet), a Stripe Connect
transfer reversal, or a manual reversal an admin records with the bank reference of the seller's repayment —
then the platform fee is given up and the whole payment is refunded to the buyer through its provider, so
``flask payments reconcile`` still agrees: Stripe's captured-minus-refunded equals the ledger's buyer cash.

The provider's part (the transfer reversal, then the refund) is recorded with the ledger entries and made once
the unit of work committed, in that order (``app.payments.calls``).

Ledger (every transaction balanced):

* ``reversal``: payout (or seller_payable for a pending payout) −share, platform_escrow +share
* ``reversal``: platform_fee −fee, platform_escrow +fee
* ``refund``: platform_escrow −total, buyer_cash +total
"""
from __future__ import annotations

from flask_babel import gettext

from app.core.errors import Conflict, ValidationFailed
from app.core.identity import Identity
from app.core.uow import unit_of_work
from app.notifications.service import recipients_of_org, tell
from app.payments import calls, hooks, ledger
from app.payments.models import (
    LedgerAccount,
    PaymentRefund,
    PaymentStatus,
    PayoutMethod,
    PayoutStatus,
    ProviderCallKind,
    format_money,
)
from app.payments.policy import payment_policy
from app.payments.service import paid_payment

METHODS = ("stripe_transfer", "manual")


@unit_of_work
def reverse_release(identity: Identity, payable, *, method: str, reason: str, reference: str | None = None, uow):
    """Take a released payment of ``payable`` back from the seller and refund it in full to the buyer.

    ``method``: ``stripe_transfer`` (the payout was a Connect transfer: reverse it) or ``manual`` (the seller
    repaid by bank: ``reference`` required). A payout still pending is cancelled whatever the method. Returns
    the ``PaymentRefund``. 409 when the payment is not released; 422 naming the field for bad input.
    """
    payment_policy.require("reverse", identity, payable,
                           message="only the dispute desk (platform admins) may reverse a released payment")
    reason = (reason or "").strip()
    reference = (reference or "").strip() or None
    errors = {}
    if not reason:
        errors["reason"] = ["say why the payment is reversed"]
    if method not in METHODS:
        errors["method"] = [f"one of {list(METHODS)}"]
    if method == "manual" and not (reference and len(reference) <= 200):
        errors["reference"] = ["give the bank reference of the seller's repayment (up to 200 characters)"]
    if errors:
        raise ValidationFailed(errors)
    payment = paid_payment(payable)
    if payment.status != PaymentStatus.released:
        raise Conflict(f"this payment is {payment.status.value}, not released", current_status=payment.status.value)
    payout = payment.payout
    share = payout.amount if payout else 0
    if payout is not None and payout.status == PayoutStatus.pending:
        legs = [(LedgerAccount.seller_payable, payout.org_id, -share), (LedgerAccount.platform_escrow, None, share)]
    elif payout is not None:
        if method == "stripe_transfer":
            if payout.method != PayoutMethod.stripe_transfer or not payout.transfer_ref:
                raise ValidationFailed({"method": ["this payout was not a Stripe transfer: record a manual reversal"]})
            calls.record(ProviderCallKind.reverse_transfer, payment, amount=share, payout=payout,
                         key=f"{payment.idempotency_key}-reversal", uow=uow)  # its id becomes the reference
        legs = [(LedgerAccount.payout, payout.org_id, -share), (LedgerAccount.platform_escrow, None, share)]
    else:
        legs = []
    fee = payment.fee - payment.refunded_fee
    ledger.post("reversal", legs, currency=payment.currency, payment=payment, payout=payout, memo=reason,
                session=uow.session)
    ledger.post("reversal", [(LedgerAccount.platform_fee, None, -fee), (LedgerAccount.platform_escrow, None, fee)],
                currency=payment.currency, payment=payment, memo=reason, session=uow.session)
    if payout is not None:
        payout.status = PayoutStatus.reversed
        payout.reference = (reference or payout.reference or "")[:200] or None
    total = ledger.escrow_held(payment.id, session=uow.session)
    row = PaymentRefund(payment=payment, amount=total, fee_part=fee, reason=reason,
                        created_by_user_id=identity.user_id)
    uow.session.add(row)
    uow.session.flush()
    calls.record(ProviderCallKind.refund, payment, amount=total, refund=row,
                 key=f"{payment.idempotency_key}-reversal-refund", uow=uow)
    ledger.post("refund", [(LedgerAccount.platform_escrow, None, -total),
                           (LedgerAccount.buyer_cash, payment.buyer_org_id, total)],
                currency=payment.currency, payment=payment, refund=row, memo=reason, session=uow.session)
    payment.status = PaymentStatus.refunded
    hooks.reversed_release(payable, payment, uow=uow)
    _tell_parties(payment, total, reason, uow=uow)
    return row


def _tell_parties(payment, total: int, reason: str, *, uow) -> None:
    """Both organisations hear of the reversal, in their language."""
    amount = format_money(total, payment.currency)
    tell(recipients_of_org(payment.buyer_org_id) + recipients_of_org(payment.seller_org_id), "payment_reversed",
         None, uow=uow, title=lambda: gettext("Payment reversed: %(amount)s", amount=amount),
         body=lambda: gettext("The dispute desk reversed a released payment: %(reason)s", reason=reason))
