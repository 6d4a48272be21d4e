"""Calls to Stripe are made with no database transaction open (record the intent, call, record the result), and a
failure at each step — before the call, during it, after it and before its answer is recorded — leaves consistent
rows, a balanced ledger and a pending call that a retry completes exactly once (its idempotency key)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.core.errors import Conflict
from app.core.extensions import db
from app.payments import calls, ledger, reversals, service
from app.payments.models import (
    PaymentRefund,
    PaymentStatus,
    PayoutStatus,
    ProviderCall,
    ProviderCallKind,
    ProviderCallStatus,
)
from app.payments.providers import ProviderError, StripeProvider
from tests.payments.fixtures import assert_books_balance

AMOUNT, FEE = 200_000, 10_000
TOTAL = AMOUNT + FEE
ACCOUNT = "acct_1MTfjCQ9PRzxEwkZ"
STRIPE_CALLS = ("create_intent", "retrieve_intent", "capture", "cancel", "refund", "transfer", "reverse_transfer",
                "settled")


@pytest.fixture
def stripe_calls(monkeypatch):
    """Every call of the Stripe provider, recorded with whether the session had a transaction open then."""
    made = []

    def watched(name, original):
        def call(self, *args, **kwargs):
            made.append((name, db.session().in_transaction()))
            return original(self, *args, **kwargs)
        return call

    for name in STRIPE_CALLS:
        monkeypatch.setattr(StripeProvider, name, watched(name, getattr(StripeProvider, name)))
    return made


def fail_once(monkeypatch, target, name, error):
    """Make ``target.name`` raise ``error`` on its next call only (then behave again)."""
    original = getattr(target, name)
    state = {"failed": False}

    def flaky(*args, **kwargs):
        if not state["failed"]:
            state["failed"] = True
            raise error
        return original(*args, **kwargs)

    monkeypatch.setattr(target, name, flaky)


def unreachable():
    return ProviderError("Stripe: could not connect", retryable=True)


def start(buyer, payable, amount=AMOUNT):
    return service.start_payment(buyer, payable, amount=amount, fee=FEE, currency="cny")


def held(localstripe, buyer, payable):
    payment = start(buyer, payable)
    localstripe.pay(payment.provider_ref)
    return service.sync_payment(buyer, payment.id)


def calls_of(payment, kind=None):
    query = select(ProviderCall).where(ProviderCall.payment_id == payment.id).order_by(ProviderCall.id)
    if kind is not None:
        query = query.where(ProviderCall.kind == kind)
    return list(db.session.scalars(query))


def consistent(*payments):
    """Books balance, no call is left pending, and Stripe agrees with the ledger on every payment."""
    assert_books_balance()
    assert [service.reconcile(p) for p in payments] == [None] * len(payments)


# ---------------------------------------------------------------- no transaction open during a call


def test_no_stripe_call_is_made_inside_a_database_transaction(db_session, client, localstripe, stripe_connect,
                                                              payable, buyer, admin, payable_kind, stripe_calls):
    service.set_connected_account(admin, payable.seller_org_id, ACCOUNT)
    replaced = start(buyer, payable, amount=AMOUNT - 1)  # new terms next: cancelled at Stripe
    payment = start(buyer, payable)
    localstripe.pay(payment.provider_ref)
    event = localstripe.event_for(payment.provider_ref, "payment_intent.amount_capturable_updated")
    assert localstripe.deliver(client, event).json["outcome"] == "held"  # captured after the webhook's commit
    service.sync_payment(buyer, payment.id)  # nothing left to apply: Stripe is not even asked
    service.refund(admin, payable, amount=10_000, reason="one sample short")
    payout = service.release(buyer, payable)
    reversals.reverse_release(admin, payable, method="stripe_transfer", reason="the licence was void")
    consistent(payment, replaced)  # reconciling asks Stripe too

    assert {name for name, _ in stripe_calls} == set(STRIPE_CALLS) - {"retrieve_intent"}
    assert [name for name, in_transaction in stripe_calls if in_transaction] == []
    assert replaced.status == PaymentStatus.canceled and localstripe.intent(replaced.provider_ref).status == "canceled"
    assert payout.status == PayoutStatus.reversed and payout.reference.startswith("trr_")
    assert payment.status == PaymentStatus.refunded
    assert sorted(r.amount for r in localstripe.refunds(payment.provider_ref)) == [10_000, TOTAL - 10_000]
    assert {c.status for c in calls_of(payment)} == {ProviderCallStatus.succeeded}


def test_the_stripe_js_return_asks_stripe_outside_a_transaction(db_session, localstripe, payable, buyer,
                                                                payable_kind, stripe_calls):
    payment = held(localstripe, buyer, payable)
    assert [name for name, _ in stripe_calls] == ["create_intent", "retrieve_intent", "capture"]
    assert not any(in_transaction for _, in_transaction in stripe_calls)
    assert payment.status == PaymentStatus.held
    consistent(payment)


# ---------------------------------------------------------------- opening a PaymentIntent


def test_a_crash_after_stripe_opened_the_intent_is_resumed_with_the_same_intent(db_session, localstripe, payable,
                                                                               buyer, monkeypatch, stripe_calls):
    fail_once(monkeypatch, calls, "_record_answer", RuntimeError("the process died"))
    payment = start(buyer, payable)  # the after-commit failure is logged; the attempt is saved, its answer lost
    assert (payment.status, payment.provider_ref) == (PaymentStatus.pending, None)
    [opening] = calls_of(payment)
    assert opening.status == ProviderCallStatus.pending

    again = start(buyer, payable)  # the buyer clicks again: the same attempt, opened with the same key
    assert again is payment and payment.provider_ref.startswith("pi_")
    assert opening.status == ProviderCallStatus.succeeded and opening.result_ref == payment.provider_ref
    assert [name for name, _ in stripe_calls] == ["create_intent", "create_intent"]
    assert localstripe.intent(payment.provider_ref).metadata["payment_key"] == payment.idempotency_key


def test_a_crash_before_the_intent_is_opened_is_completed_by_the_retry(db_session, app, localstripe, payable, buyer,
                                                                       monkeypatch):
    fail_once(monkeypatch, calls, "_prepare", RuntimeError("the process died"))
    payment = start(buyer, payable)
    assert payment.provider_ref is None and service.payment_of(payable) is payment

    result = app.test_cli_runner().invoke(args=["payments", "retry"])
    assert result.exit_code == 0 and "1 provider calls completed, 0 still pending" in result.output
    assert payment.provider_ref.startswith("pi_") and payment.client_secret
    assert calls.retry_pending() == (0, 0)


# ---------------------------------------------------------------- capture


def test_stripe_failing_the_capture_leaves_the_money_held_and_the_retry_captures_once(
        db_session, localstripe, payable, buyer, payable_kind, monkeypatch):
    fail_once(monkeypatch, StripeProvider, "capture", unreachable())
    payment = held(localstripe, buyer, payable)
    assert payment.status == PaymentStatus.held and payable_kind.paid == [(payable.id, payment.id)]
    [capture] = calls_of(payment, ProviderCallKind.capture)
    assert (capture.status, capture.attempts, capture.last_error) == (ProviderCallStatus.pending, 1,
                                                                      "Stripe: could not connect")
    assert localstripe.intent(payment.provider_ref).status == "requires_capture"
    assert_books_balance()
    assert "not carried out yet (capture)" in service.reconcile(payment)

    assert calls.retry_pending() == (1, 0)
    assert localstripe.intent(payment.provider_ref).status == "succeeded"
    assert payment.charge_ref == localstripe.intent(payment.provider_ref).latest_charge.id
    assert calls.retry_pending() == (0, 0)
    consistent(payment)


def test_a_refund_waits_for_the_capture_it_refunds(db_session, localstripe, payable, buyer, admin, payable_kind,
                                                   monkeypatch):
    fail_once(monkeypatch, StripeProvider, "capture", unreachable())
    payment = held(localstripe, buyer, payable)
    refund = service.refund(admin, payable, reason="cancelled by agreement")
    assert refund.provider_ref is None and localstripe.refunds(payment.provider_ref) == []
    assert calls.retry_pending() == (2, 0)  # capture, then refund, in the order they were recorded
    assert [r.amount for r in localstripe.refunds(payment.provider_ref)] == [TOTAL]
    consistent(payment)


# ---------------------------------------------------------------- refunds


def test_a_failure_before_the_refund_is_recorded_changes_nothing(db_session, localstripe, payable, buyer, admin,
                                                                 payable_kind, monkeypatch, stripe_calls):
    payment = held(localstripe, buyer, payable)
    fail_once(monkeypatch, ledger, "post", RuntimeError("the database went away"))
    with pytest.raises(RuntimeError):
        service.refund(admin, payable, reason="cancelled")
    assert payment.status == PaymentStatus.held and payment.refunds == []
    assert calls_of(payment, ProviderCallKind.refund) == []
    assert "refund" not in [name for name, _ in stripe_calls]
    consistent(payment)

    service.refund(admin, payable, reason="cancelled")
    assert [r.amount for r in localstripe.refunds(payment.provider_ref)] == [TOTAL]
    consistent(payment)


def test_a_crash_between_the_commit_and_the_refund_call_is_retried(db_session, localstripe, payable, buyer, admin,
                                                                   payable_kind, monkeypatch):
    payment = held(localstripe, buyer, payable)
    fail_once(monkeypatch, calls, "_prepare", RuntimeError("the process died"))
    refund = service.refund(admin, payable, amount=50_000, reason="half delivered")
    assert refund.provider_ref is None and localstripe.refunds(payment.provider_ref) == []
    assert ledger.escrow_held(payment.id) == TOTAL - 50_000  # decided and booked; Stripe still to do it
    assert_books_balance()

    assert calls.retry_pending() == (1, 0)
    [at_stripe] = localstripe.refunds(payment.provider_ref)
    assert (at_stripe.amount, refund.provider_ref) == (50_000, at_stripe.id)
    consistent(payment)


def test_stripe_failing_a_refund_leaves_it_pending_and_the_retry_refunds_once(db_session, localstripe, payable,
                                                                              buyer, admin, payable_kind,
                                                                              monkeypatch):
    payment = held(localstripe, buyer, payable)
    fail_once(monkeypatch, StripeProvider, "refund", unreachable())
    refund = service.refund(admin, payable, reason="cancelled")
    [call] = calls_of(payment, ProviderCallKind.refund)
    assert (call.status, call.attempts, refund.provider_ref) == (ProviderCallStatus.pending, 1, None)
    assert payment.status == PaymentStatus.refunded and localstripe.refunds(payment.provider_ref) == []
    assert_books_balance()
    with pytest.raises(Conflict):  # everything is being refunded already: nothing more can be
        service.refund(admin, payable, reason="again")

    assert calls.retry_pending() == (1, 0)
    assert [r.id for r in localstripe.refunds(payment.provider_ref)] == [refund.provider_ref]
    assert (call.status, call.attempts) == (ProviderCallStatus.succeeded, 2)
    consistent(payment)


def test_a_crash_after_stripe_refunded_is_recorded_once_by_the_retry(db_session, localstripe, payable, buyer, admin,
                                                                    payable_kind, monkeypatch, stripe_calls):
    payment = held(localstripe, buyer, payable)
    fail_once(monkeypatch, calls, "_record_answer", RuntimeError("the process died"))
    refund = service.refund(admin, payable, amount=30_000, reason="late delivery")
    [first] = localstripe.refunds(payment.provider_ref)  # Stripe refunded; the answer was lost
    assert refund.provider_ref is None
    assert calls_of(payment, ProviderCallKind.refund)[0].status == ProviderCallStatus.pending
    assert_books_balance()

    assert calls.retry_pending() == (1, 0)  # the same idempotency key: Stripe answers with the first refund
    assert [name for name, _ in stripe_calls].count("refund") == 2
    assert [r.id for r in localstripe.refunds(payment.provider_ref)] == [first.id] == [refund.provider_ref]
    assert db.session.scalars(select(PaymentRefund).where(PaymentRefund.payment_id == payment.id)).all() == [refund]
    consistent(payment)


# ---------------------------------------------------------------- payouts by Connect transfer


def test_a_transfer_stripe_could_not_make_is_retried_and_pays_the_seller_once(
        db_session, localstripe, stripe_connect, payable, buyer, admin, payable_kind, monkeypatch):
    service.set_connected_account(admin, payable.seller_org_id, ACCOUNT)
    payment = held(localstripe, buyer, payable)
    fail_once(monkeypatch, StripeProvider, "transfer", unreachable())
    payout = service.release(buyer, payable)
    assert payout.status == PayoutStatus.pending and stripe_connect.requests == []
    assert service.balances(org_id=payable.seller_org_id)["seller_payable"] == AMOUNT
    with pytest.raises(Conflict, match="under way"):  # a bank payout now could pay the seller twice
        service.record_manual_payout(admin, payout.id, "HSBC-0001")

    assert calls.retry_pending() == (1, 0)
    assert payout.status == PayoutStatus.paid and payout.transfer_ref.startswith("tr_")
    assert len(stripe_connect.requests) == 1
    assert service.balances(org_id=payable.seller_org_id)["payout"] == AMOUNT
    consistent(payment)


def test_a_crash_after_the_transfer_pays_the_seller_once(db_session, localstripe, stripe_connect, payable, buyer,
                                                         admin, payable_kind, monkeypatch):
    service.set_connected_account(admin, payable.seller_org_id, ACCOUNT)
    payment = held(localstripe, buyer, payable)
    fail_once(monkeypatch, calls, "_record_answer", RuntimeError("the process died"))
    payout = service.release(buyer, payable)
    assert payout.status == PayoutStatus.pending and len(stripe_connect.requests) == 1
    assert_books_balance()

    assert calls.retry_pending() == (1, 0)
    assert len(stripe_connect.transfers) == 1 and len(stripe_connect.requests) == 2  # the same key, one transfer
    assert payout.transfer_ref == next(iter(stripe_connect.transfers.values()))["id"]
    assert service.balances(org_id=payable.seller_org_id)["payout"] == AMOUNT
    consistent(payment)
