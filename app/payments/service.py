"""Payments service: every write of the payments package goes through these functions.

A *payable* is any object with ``payable_kind`` ("deal" / "service_order"), ``id``, ``buyer_org_id`` and
``seller_org_id``. Amounts are integers in minor units (fen). The buyer pays ``amount + fee``; the platform
holds it until :func:`release` (the seller is owed ``amount``, the platform keeps ``fee``) or :func:`refund`.

How money flows (ledger accounts in brackets):

* :func:`start_payment` opens an attempt: a ``Payment`` row and a PaymentIntent with *manual capture*.
* The buyer confirms it (Stripe.js, or the test provider's page). When the provider reports the money
  authorised — a webhook, the Stripe.js return, or the test page, all through :func:`apply_intent_state` —
  the payable's ``on_paid`` hook runs in the same transaction; if it accepts, the payment is captured and
  held (buyer_cash → platform_escrow). If it refuses (say the deal was cancelled meanwhile) the authorisation
  is voided and no money is taken.
* :func:`refund` gives back part or all of what is still held (platform_escrow → buyer_cash).
* :func:`release` moves what is held to the seller and the platform (→ seller_payable + platform_fee) and
  pays the seller out: a Connect transfer when the seller has a connected account, else a pending manual
  payout an admin records with :func:`record_manual_payout` (seller_payable → payout).

The Payment row is locked (``SELECT … FOR UPDATE``) by every path that changes it, so duplicate, concurrent,
late or out-of-order provider events change it at most once.

No provider call is made inside a database transaction: each is recorded with the change it carries out and made
after the commit (``app.payments.calls``: record the intent, call, record the result; retried when left pending).
"""
from __future__ import annotations

import logging
from decimal import ROUND_HALF_UP, Decimal
from uuid import uuid4

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.core.errors import Conflict, NotFound, ServiceError, ValidationFailed
from app.core.extensions import db
from app.core.identity import Identity
from app.core.models import utcnow
from app.core.uow import UnitOfWork, unit_of_work
from app.orgs.models import Organisation
from app.payments import calls, hooks, ledger
from app.payments.models import (
    OPEN_STATUSES,
    LedgerAccount,
    Payment,
    PaymentAccount,
    PaymentEvent,
    PaymentRefund,
    PaymentStatus,
    Payout,
    PayoutMethod,
    PayoutStatus,
    ProviderCallKind,
)
from app.payments.policy import payment_policy
from app.payments.providers import IntentState, current_provider, provider_named

log = logging.getLogger(__name__)

DEFAULT_FEE_RATE = "0.05"
# Stripe event types that carry a PaymentIntent whose state we apply; other types are stored and ignored.
INTENT_EVENTS = frozenset({
    "payment_intent.amount_capturable_updated",
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "payment_intent.requires_action",
    "payment_intent.processing",
    "payment_intent.canceled",
})
PAID_STATUSES = (PaymentStatus.held, PaymentStatus.released)
MAX_AMOUNT = 10**12  # fen; far above any deal, low enough for every provider and column


# ---------------------------------------------------------------- rules and lookups


def fee_for(mode: str, amount: int) -> int:
    """Platform fee in minor units for ``amount`` under deal ``mode`` (config ``PLATFORM_FEES``, default 5%).

    Rounded half up to a whole fen.
    """
    rates = current_app.config.get("PLATFORM_FEES") or {}
    rate = Decimal(str(rates.get(mode, DEFAULT_FEE_RATE)))
    return int((Decimal(amount) * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _validate_terms(amount, fee, currency) -> None:
    errors = {}
    if not isinstance(amount, int) or isinstance(amount, bool) or not 0 < amount <= MAX_AMOUNT:
        errors["amount"] = ["must be a positive whole number of minor units (fen)"]
    if not isinstance(fee, int) or isinstance(fee, bool) or fee < 0 or (isinstance(amount, int) and fee > amount):
        errors["fee"] = ["must be a whole number of minor units between 0 and the amount"]
    if not isinstance(currency, str) or len(currency) != 3 or not currency.isalpha():
        errors["currency"] = ["must be a three-letter ISO currency code"]
    if errors:
        raise ValidationFailed(errors)


def may_read(identity: Identity, payment: Payment) -> bool:
    """The buyer's and the seller's members and platform admins may see a payment."""
    return payment_policy.allows("read", identity, payment)


def _lock(query):
    """``query`` with ``FOR UPDATE``: concurrent writers of the same payment queue up (PostgreSQL)."""
    return db.session.scalars(query.with_for_update()).first()


def _attempts(kind: str, payable_id: int, *, lock: bool = False) -> list[Payment]:
    """Every payment attempt of one payable, newest first."""
    query = (select(Payment).where(Payment.payable_kind == kind, Payment.payable_id == payable_id)
             .order_by(Payment.id.desc()))
    if lock:
        query = query.with_for_update()
    return list(db.session.scalars(query))


def payment_of(payable) -> Payment | None:
    """The payment that counts for ``payable``: the one that was paid, else its latest attempt, else None."""
    attempts = _attempts(payable.payable_kind, payable.id)
    paid = [p for p in attempts if p.status in (*PAID_STATUSES, PaymentStatus.refunded)]
    return (paid or attempts or [None])[0]


def get_payment(identity: Identity, payment_id: int) -> Payment:
    """One payment, for its buyer, its seller and platform admins (404 for anyone else)."""
    payment = db.session.get(Payment, payment_id)
    if payment is None or not may_read(identity, payment):
        raise NotFound("no such payment")
    return payment


def _locked_payment(payment_id: int) -> Payment | None:
    return _lock(select(Payment).where(Payment.id == payment_id))


def balances(*, org_id: int | None = None, payment_id: int | None = None) -> dict[str, int]:
    """Ledger balances per account (derived from entries), optionally for one organisation or payment.

    Keys are the ``LedgerAccount`` values; a seller's ``seller_payable`` is what the platform still owes it.
    """
    return ledger.balances(org_id=org_id, payment_id=payment_id)


def org_balances(identity: Identity, org_id: int) -> dict[str, int]:
    """Balances of one organisation, for its own members and platform admins."""
    payment_policy.require("read_balances", identity, org_id, message="you may only see your own organisation's balances")
    return balances(org_id=org_id)


# ---------------------------------------------------------------- paying


@unit_of_work
def start_payment(identity, payable, *, amount: int, fee: int, currency: str, mode: str | None = None, uow):
    """Open a payment attempt for ``payable``: a ``Payment`` row and (Stripe) a PaymentIntent with manual capture.

    Only members of the buyer organisation may pay. Starting again with the same terms while an attempt is
    open returns that attempt, so a double click opens one PaymentIntent; new terms, or a failed attempt
    (declined card), cancel it at the provider and open a new attempt with its own idempotency key. A
    payable already paid gets 409. Returns the ``Payment``;
    ``payment.client_secret`` and ``payment.provider`` tell the UI how to confirm it (Stripe.js, or the test
    provider's page at ``/payments/<id>/pay``).

    The PaymentIntent is opened once ``uow`` committed the attempt (its id and client secret are then on the
    payment); a provider refusing to open it fails the attempt and raises :class:`ProviderError` (502) to whoever
    committed. An attempt whose opening was left pending is opened again, with its idempotency key, when the
    buyer starts again with the same terms.
    """
    payment_policy.require("pay", identity, payable, message="only the buyer's organisation pays")
    _validate_terms(amount, fee, currency)
    hooks.hooks_for(payable.payable_kind)  # an unregistered kind is a programming error: fail before Stripe
    currency = currency.lower()
    for attempt in _attempts(payable.payable_kind, payable.id, lock=True):
        if attempt.status in PAID_STATUSES:
            raise Conflict("this has been paid already", current_status=attempt.status.value)
        if attempt.status in OPEN_STATUSES:
            same_terms = (attempt.amount, attempt.fee, attempt.currency) == (amount, fee, currency)
            if same_terms and attempt.status != PaymentStatus.failed:
                calls.resume(attempt, uow=uow)
                return attempt
            _cancel_attempt(attempt, "replaced by a new attempt", uow=uow)

    key = f"tb-{uuid4().hex}"
    payment = Payment(
        payable_kind=payable.payable_kind, payable_id=payable.id, buyer_org_id=payable.buyer_org_id,
        seller_org_id=payable.seller_org_id, mode=mode, amount=amount, fee=fee, currency=currency,
        provider=current_provider().name, idempotency_key=key, status=PaymentStatus.pending,
        created_by_user_id=identity.user_id,
    )
    uow.session.add(payment)
    uow.session.flush()
    calls.record(ProviderCallKind.create_intent, payment, key=key, uow=uow)
    return payment


def _cancel_attempt(payment: Payment, reason: str, *, uow) -> None:
    """Cancel an unpaid attempt (at the provider once committed) so a stale browser tab cannot pay it any more.

    Should the buyer authorise it meanwhile, the cancellation voids that authorisation, and the late success
    event finds a cancelled attempt, which takes no money.
    """
    payment.status = PaymentStatus.canceled
    payment.failure_code, payment.failure_message = "canceled", reason
    calls.record(ProviderCallKind.cancel, payment, key=f"{payment.idempotency_key}-cancel", uow=uow)


@unit_of_work
def confirm_test_payment(identity, payment_id: int, *, card_number: str = "4242424242424242",
                         authenticated: bool = False, uow):
    """Test provider only: the buyer "pays" with a test card; runs the same path as a Stripe success webhook.

    Stripe's test cards behave as there: 4000 0000 0000 0341 is declined, 4000 0025 0000 3155 first needs
    3-D Secure (confirm again with ``authenticated=True``). Returns the payment.
    """
    payment = _locked_payment(payment_id)
    if payment is None or not may_read(identity, payment):
        raise NotFound("no such payment")
    payment_policy.require("pay", identity, payment, message="only the buyer's organisation pays")
    if not payment.is_test:
        raise Conflict("this payment is made with Stripe, not with the test provider")
    if payment.status not in OPEN_STATUSES:
        raise Conflict(f"this payment is {payment.status.value}", current_status=payment.status.value)
    state = provider_named(payment.provider).confirm(payment.provider_ref, card_number, authenticated=authenticated)
    apply_intent_state(payment, state, uow=uow)
    return payment


def sync_payment(identity, payment_id: int) -> Payment:
    """Read a Stripe payment's state from Stripe and apply it (the Stripe.js return page; a missed webhook).

    Stripe is asked with no transaction open; the answer is applied to the payment locked afterwards, where the
    rules of :func:`apply_intent_state` make an answer overtaken meanwhile (by a webhook) change nothing.
    """
    with UnitOfWork() as uow:  # reads only: committing it ends the transaction before Stripe is asked
        payment = uow.session.get(Payment, payment_id)
        if payment is None or not may_read(identity, payment):
            raise NotFound("no such payment")
        payment_policy.require("sync", identity, payment,
                               message="only the buyer's organisation or a platform admin may refresh a payment")
        due = payment.status in OPEN_STATUSES and payment.provider_ref is not None
        provider, intent_id = payment.provider, payment.provider_ref
    if due:
        state = provider_named(provider).retrieve_intent(intent_id)
        with UnitOfWork() as uow:
            apply_intent_state(_locked_payment(payment_id), state, uow=uow)
    return db.session.get(Payment, payment_id)


def apply_intent_state(payment: Payment, state: IntentState, *, event_created: int | None = None, uow) -> str:
    """Move a (locked) payment on according to its provider's ``state``; returns what happened.

    Rules that make duplicates and disorder harmless: money is accepted only from an open attempt; a paid,
    refunded or released payment ignores every later attempt state; an attempt state (failed, needs
    authentication) older than the newest one applied is ignored.
    """
    if state.authorised:
        # A cancelled attempt was cancelled at the provider first, so its authorisation can only be a stale event.
        return _accept(payment, state, uow=uow) if payment.status in OPEN_STATUSES else "unchanged"
    if payment.status not in OPEN_STATUSES:
        return "unchanged"
    if event_created is not None:
        if payment.last_event_at is not None and event_created < payment.last_event_at:
            return "stale"
        payment.last_event_at = event_created
    if state.failed:
        payment.status = PaymentStatus.failed
        payment.failure_code = state.failure_code
        payment.failure_message = state.failure_message
        hooks.failed(payment, state.failure_message or state.failure_code, uow=uow)
        return "failed"
    if state.status == "requires_action":
        payment.status = PaymentStatus.requires_action
        return "requires_action"
    if state.status == "canceled":
        payment.status = PaymentStatus.canceled
        payment.failure_code = "canceled"
        return "canceled"
    return "unchanged"


def _accept(payment: Payment, state: IntentState, *, uow) -> str:
    """The buyer's money is authorised: hold it if the payable still wants it, void it otherwise."""
    attempts = _attempts(payment.payable_kind, payment.payable_id)
    earlier = next((p for p in attempts if p.id != payment.id and p.status in PAID_STATUSES), None)
    if earlier is not None:
        _void(payment, state, f"payment #{earlier.id} has already paid for this", uow=uow)
        return "duplicate_voided"
    savepoint = uow.session.begin_nested()
    try:
        payment.status = PaymentStatus.held
        payment.held_at = utcnow()
        payment.charge_ref = state.charge_id or payment.charge_ref
        payment.failure_code = payment.failure_message = None
        _book_payment(payment)
        hooks.paid(payment, uow=uow)
        savepoint.commit()
    except ServiceError as refusal:
        savepoint.rollback()
        log.info("payment %s refused by its %s: %s", payment.id, payment.payable_kind, refusal.message)
        _void(payment, state, refusal.message, uow=uow)
        return "refused_voided"
    if state.status == "requires_capture":
        calls.record(ProviderCallKind.capture, payment, amount=payment.total,
                     key=f"{payment.idempotency_key}-capture", uow=uow)
    return "held"


def _book_payment(payment: Payment) -> None:
    """The buyer's money reached the platform: buyer_cash → platform_escrow."""
    ledger.post("payment", [(LedgerAccount.buyer_cash, payment.buyer_org_id, -payment.total),
                            (LedgerAccount.platform_escrow, None, payment.total)],
                currency=payment.currency, payment=payment)


def _void(payment: Payment, state: IntentState, reason: str, *, uow) -> None:
    """Refuse money the payable cannot take; the payment ends cancelled and the buyer keeps (or gets back) it.

    An authorisation is cancelled (no money moved); a charge captured already is refunded in full.
    """
    key = f"{payment.idempotency_key}-void"
    if state.status == "requires_capture":
        calls.record(ProviderCallKind.cancel, payment, key=key, uow=uow)
    else:
        calls.record(ProviderCallKind.refund, payment, amount=payment.total, key=key, uow=uow)
        # The charge was captured (payment methods without manual capture) and refunded: both in the books.
        _book_payment(payment)
        ledger.post("refund", [(LedgerAccount.platform_escrow, None, -payment.total),
                               (LedgerAccount.buyer_cash, payment.buyer_org_id, payment.total)],
                    currency=payment.currency, payment=payment, memo=reason)
    payment.status = PaymentStatus.canceled
    payment.failure_code, payment.failure_message = "voided", reason


# ---------------------------------------------------------------- webhooks


@unit_of_work
def handle_event(event, *, uow) -> str:
    """Apply one verified Stripe event (a ``stripe.Event``) once; returns the outcome stored with it.

    The event id is stored with a unique constraint: a second delivery (even a concurrent one) is
    recognised and changes nothing. A webhook never assigns a payable's status; it only calls its hooks.
    """
    data = event.to_dict()
    obj = data.get("data", {}).get("object", {})
    payment = None
    if data.get("type") in INTENT_EVENTS and obj.get("object") == "payment_intent":
        payment = _lock(select(Payment).where(Payment.provider_ref == obj.get("id")))
    try:
        with uow.session.begin_nested():
            record = PaymentEvent(event_id=data["id"], type=data.get("type", "")[:100], outcome="received",
                                  payment_id=payment.id if payment else None, event_created=data.get("created"))
            uow.session.add(record)
            uow.session.flush()
    except IntegrityError:
        return "duplicate"
    if payment is None:
        record.outcome = "ignored"
    else:
        record.outcome = apply_intent_state(payment, IntentState.from_stripe(event.data.object),
                                            event_created=data.get("created"), uow=uow)
    return record.outcome


# ---------------------------------------------------------------- refunds and release


def paid_payment(payable) -> Payment:
    """The locked payment of ``payable`` that took money, or 409 when there is none (refunds, releases,
    reversals start here)."""
    attempts = _attempts(payable.payable_kind, payable.id, lock=True)
    paid = next((p for p in attempts if p.status in (*PAID_STATUSES, PaymentStatus.refunded)), None)
    if paid is None:
        raise Conflict("nothing has been paid for this yet",
                       current_status=attempts[0].status.value if attempts else "unpaid")
    return paid


@unit_of_work
def refund(identity, payable, *, amount: int | None = None, reason: str, uow):
    """Refund ``amount`` (default: everything still held) to the buyer; never more than was paid.

    The seller's organisation and platform admins (a dispute decided for the buyer; workflow actions run by
    the system) may refund. Money already released to the seller cannot be refunded here (409). A refund
    comes out of the seller's share and the platform fee in proportion; a full refund returns the fee too.
    Returns the ``PaymentRefund``; the provider refunds once ``uow`` committed (its ``provider_ref`` then set).
    """
    payment_policy.require("refund", identity, payable, message="only the seller or a platform admin may refund")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": ["say why the money is refunded"]})
    payment = paid_payment(payable)
    if payment.status != PaymentStatus.held:
        message = ("the money was already released to the seller and can no longer be refunded"
                   if payment.status == PaymentStatus.released else "this payment was refunded in full already")
        raise Conflict(message, current_status=payment.status.value)
    held = ledger.escrow_held(payment.id, session=uow.session)
    amount = held if amount is None else amount
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise ValidationFailed({"amount": ["must be a positive whole number of minor units (fen)"]})
    if amount > held:
        raise ValidationFailed(
            {"amount": [f"at most {held} can be refunded: {payment.total} was paid and "
                          f"{payment.refunded_amount} already refunded"]},
            message="a refund cannot exceed what was paid",
        )
    fee_part = (payment.fee - payment.refunded_fee) * amount // held
    attempt_key = f"{payment.idempotency_key}-refund-{len(payment.refunds) + 1}"
    row = PaymentRefund(payment=payment, amount=amount, fee_part=fee_part, reason=reason,
                        created_by_user_id=identity.user_id)
    uow.session.add(row)
    uow.session.flush()
    ledger.post("refund", [(LedgerAccount.platform_escrow, None, -amount),
                           (LedgerAccount.buyer_cash, payment.buyer_org_id, amount)],
                currency=payment.currency, payment=payment, refund=row, memo=reason, session=uow.session)
    calls.record(ProviderCallKind.refund, payment, amount=amount, refund=row, key=attempt_key, uow=uow)
    if amount == held:
        payment.status = PaymentStatus.refunded
    return row


@unit_of_work
def release(identity, payable, *, uow):
    """Release the held money: seller payable less the fee, then a Connect transfer or a pending manual payout.

    Run after delivery is confirmed, by the buyer's organisation or a platform admin / the system (a
    dispute decided for the seller). What was refunded before is not released. Returns the ``Payout``
    (None when nothing is left for the seller). A Connect transfer is made once ``uow`` committed; one Stripe
    refuses leaves the payout pending for an admin, with Stripe's reason.
    """
    payment_policy.require("release", identity, payable, message="only the buyer or a platform admin may release the money")
    payment = paid_payment(payable)
    if payment.status != PaymentStatus.held:
        raise Conflict(f"this payment is {payment.status.value}, not held",
                       current_status=payment.status.value)
    held = ledger.escrow_held(payment.id, session=uow.session)
    fee_kept = payment.fee - payment.refunded_fee
    seller_share = held - fee_kept
    ledger.post("release", [(LedgerAccount.platform_escrow, None, -held),
                            (LedgerAccount.seller_payable, payment.seller_org_id, seller_share),
                            (LedgerAccount.platform_fee, None, fee_kept)],
                currency=payment.currency, payment=payment, session=uow.session)
    payment.status = PaymentStatus.released
    payment.released_at = utcnow()
    payout = None
    if seller_share > 0:
        account = db.session.scalar(select(PaymentAccount).where(PaymentAccount.org_id == payment.seller_org_id))
        payout = Payout(payment=payment, org_id=payment.seller_org_id, amount=seller_share, currency=payment.currency,
                        method=PayoutMethod.stripe_transfer if account else PayoutMethod.manual,
                        stripe_account_id=account.stripe_account_id if account else None)
        uow.session.add(payout)
        uow.session.flush()
        if account:
            # Paid through Stripe Connect once committed; the payment's key makes a retried transfer the same one.
            calls.record(ProviderCallKind.transfer, payment, amount=seller_share, payout=payout,
                         key=f"{payment.idempotency_key}-transfer", uow=uow)
    hooks.released(payable, payment, uow=uow)
    return payout


def reconcile(payment: Payment) -> str | None:
    """Compare a Stripe payment with the ledger: None when they agree, else what differs.

    Stripe's view is what its charge captured less what it refunded; the ledger's is what left the buyer's
    cash for this payment. Test payments have nothing to compare with; a payment with calls to Stripe still
    pending is reported as such (``flask payments retry`` makes them). Stripe is asked with no transaction open.
    """
    if payment.is_test:
        return None
    with UnitOfWork():  # reads only: committing it ends the transaction before Stripe is asked
        pending = [call.kind.value for call in calls.pending_calls(payment.id)]
        books = -ledger.balances(payment_id=payment.id)[LedgerAccount.buyer_cash.value]
        payment_id, provider, intent_id = payment.id, payment.provider, payment.provider_ref
    if pending:
        return (f"payment {payment_id} ({intent_id}): {len(pending)} call(s) to Stripe not carried out yet "
                f"({', '.join(pending)}); run flask payments retry")
    captured, refunded = provider_named(provider).settled(intent_id)
    if captured - refunded == books:
        return None
    return f"payment {payment_id} ({intent_id}): Stripe kept {captured - refunded} " \
           f"(captured {captured}, refunded {refunded}), the ledger says {books}"


def stripe_payments() -> list[Payment]:
    """Every Stripe payment, oldest first (what ``flask payments reconcile`` checks)."""
    return list(db.session.scalars(select(Payment).where(Payment.provider == "stripe").order_by(Payment.id)))


# ---------------------------------------------------------------- payouts and accounts (platform admins)


@unit_of_work
def record_manual_payout(identity, payout_id: int, reference: str, *, uow):
    """Platform admin: record the bank reference of a manual payout to a seller; returns the ``Payout``."""
    payment_policy.require("manage_payouts", identity, message="platform admins only")
    reference = (reference or "").strip()
    if not 1 <= len(reference) <= 200:
        raise ValidationFailed({"reference": [_l("give the bank transfer's reference (up to 200 characters)")]})
    payout = _lock(select(Payout).where(Payout.id == payout_id))
    if payout is None:
        raise NotFound("no such payout")
    if payout.status != PayoutStatus.pending:
        message = (_l("this payout was recorded already") if payout.status == PayoutStatus.paid
                   else _l("this payout was reversed"))
        raise Conflict(message, current_status=payout.status.value)
    if any(call.kind == ProviderCallKind.transfer for call in calls.pending_calls(payout.payment_id)):
        raise Conflict(_l("a Stripe transfer of this payout is under way; retry it (flask payments retry) first"),
                       current_status=payout.status.value)
    payout.method = PayoutMethod.manual
    payout.reference = reference
    calls.mark_paid(payout, by_user_id=identity.user_id, uow=uow)
    return payout


def list_payouts(identity, *, status: str | None = None, page: int = 1, per_page: int = 20):
    """``(payouts, total)`` for platform admins, oldest first (the queue of payouts to record)."""
    payment_policy.require("manage_payouts", identity, message="platform admins only")
    query = select(Payout)
    if status:
        query = query.where(Payout.status == PayoutStatus(status))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.order_by(Payout.id).limit(per_page).offset((page - 1) * per_page)).all()
    return rows, total


@unit_of_work
def set_connected_account(identity, org_id: int, stripe_account_id: str, *, uow) -> PaymentAccount:
    """Platform admin: the seller organisation's Stripe Connect account (``acct_…``) for payouts by transfer."""
    payment_policy.require("manage_payouts", identity, message="platform admins only")
    stripe_account_id = (stripe_account_id or "").strip()
    if not (stripe_account_id.startswith("acct_") and 6 <= len(stripe_account_id) <= 64):
        raise ValidationFailed({"stripe_account_id": ["a Stripe account id looks like acct_1A2b3C…"]})
    if db.session.get(Organisation, org_id) is None:
        raise NotFound("no such organisation")
    taken = db.session.scalar(select(PaymentAccount).where(PaymentAccount.stripe_account_id == stripe_account_id,
                                                           PaymentAccount.org_id != org_id))
    if taken is not None:
        raise ValidationFailed({"stripe_account_id": ["this account belongs to another organisation"]})
    account = db.session.scalar(select(PaymentAccount).where(PaymentAccount.org_id == org_id))
    if account is None:
        account = PaymentAccount(org_id=org_id, stripe_account_id=stripe_account_id)
        uow.session.add(account)
    account.stripe_account_id = stripe_account_id
    uow.session.flush()
    return account
