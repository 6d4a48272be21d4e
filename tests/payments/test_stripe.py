"""Stripe payments against a real localstripe server, through the official SDK."""
from __future__ import annotations

import pytest

from app.core.errors import Conflict, ValidationFailed
from app.payments import service
from app.payments.models import PaymentStatus
from app.payments.providers import ProviderError
from tests.payments.fixtures import assert_books_balance

AMOUNT, FEE = 200_000, 10_000
TOTAL = AMOUNT + FEE


def start(buyer, payable):
    return service.start_payment(buyer, payable, amount=AMOUNT, fee=FEE, currency="cny", mode="exclusive_licence")


def paid(localstripe, buyer, payable):
    """A payment the buyer confirmed with a good card and the app learnt about from the Stripe.js return."""
    payment = start(buyer, payable)
    localstripe.pay(payment.provider_ref)
    return service.sync_payment(buyer, payment.id)


def test_start_payment_creates_a_manual_capture_payment_intent(db_session, localstripe, payable, buyer):
    payment = start(buyer, payable)
    intent = localstripe.intent(payment.provider_ref)
    assert payment.provider == "stripe" and payment.provider_ref.startswith("pi_")
    assert (intent.amount, intent.currency, intent.capture_method) == (TOTAL, "cny", "manual")
    assert intent.metadata["payment_key"] == payment.idempotency_key
    assert payment.client_secret == intent.client_secret
    assert start(buyer, payable) is payment  # a double click opens one PaymentIntent


def agrees_with_stripe(*payments) -> None:
    """The ledger and Stripe agree on what each payment took from the buyer and gave back."""
    assert [service.reconcile(p) for p in payments] == [None] * len(payments)
    assert_books_balance()


def test_a_good_card_is_captured_and_held(db_session, localstripe, payable, buyer, payable_kind):
    payment = start(buyer, payable)
    assert localstripe.pay(payment.provider_ref).status == "requires_capture"

    service.sync_payment(buyer, payment.id)
    assert payment.status == PaymentStatus.held and payable_kind.paid == [(payable.id, payment.id)]
    intent = localstripe.intent(payment.provider_ref)
    assert intent.status == "succeeded"  # captured once the deal accepted the money: the platform holds it
    assert payment.charge_ref == intent.latest_charge.id
    assert service.balances(payment_id=payment.id)["platform_escrow"] == TOTAL
    # A second return visit changes nothing.
    service.sync_payment(buyer, payment.id)
    assert len(payable_kind.paid) == 1 and service.balances(payment_id=payment.id)["platform_escrow"] == TOTAL
    agrees_with_stripe(payment)


def test_a_declined_card_fails_with_stripes_reason(db_session, client, localstripe, payable, buyer, payable_kind):
    payment = start(buyer, payable)
    intent = localstripe.pay(payment.provider_ref, card="4000000000000341")
    assert intent.status == "requires_payment_method" and intent.last_payment_error.code == "card_declined"

    # localstripe reports the decline with a payment_intent.payment_failed event: deliver it.
    [event] = localstripe.events(payment.provider_ref, "payment_intent.payment_failed")
    assert localstripe.deliver(client, event).json["outcome"] == "failed"
    assert payment.status == PaymentStatus.failed
    assert (payment.failure_code, payment.failure_message) == ("card_declined", "Your card was declined.")
    assert payable_kind.failed == [(payable.id, payment.id, "Your card was declined.")]
    assert service.balances(payment_id=payment.id)["platform_escrow"] == 0

    # The buyer tries again: a new attempt (a new PaymentIntent); the failed one is cancelled at Stripe.
    retry = start(buyer, payable)
    assert retry.id != payment.id and payment.status == PaymentStatus.canceled
    assert localstripe.intent(payment.provider_ref).status == "canceled"
    localstripe.pay(retry.provider_ref)
    service.sync_payment(buyer, retry.id)
    assert retry.status == PaymentStatus.held and payable_kind.paid == [(payable.id, retry.id)]
    agrees_with_stripe(payment, retry)


def test_three_d_secure_requires_action_then_pays(db_session, localstripe, payable, buyer, payable_kind):
    payment = start(buyer, payable)
    assert localstripe.pay(payment.provider_ref, card="4000002500003155").status == "requires_action"
    service.sync_payment(buyer, payment.id)
    assert payment.status == PaymentStatus.requires_action and not payable_kind.paid

    localstripe.authenticate(payment.provider_ref, payment.client_secret)
    service.sync_payment(buyer, payment.id)
    assert payment.status == PaymentStatus.held and localstripe.intent(payment.provider_ref).status == "succeeded"


def test_failed_three_d_secure_is_a_failure_with_a_message(db_session, localstripe, payable, buyer, payable_kind):
    payment = start(buyer, payable)
    localstripe.pay(payment.provider_ref, card="4000002500003155")
    localstripe.authenticate(payment.provider_ref, payment.client_secret, success=False)
    service.sync_payment(buyer, payment.id)
    assert payment.status == PaymentStatus.failed
    assert payment.failure_code == "payment_intent_authentication_failure"
    assert payable_kind.failed[0][2] == "The provided PaymentMethod has failed authentication."


def test_a_payable_refusing_the_money_cancels_the_authorisation(db_session, localstripe, payable, buyer,
                                                                payable_kind):
    payable_kind.refuse = "deal cancelled meanwhile"
    payment = start(buyer, payable)
    localstripe.pay(payment.provider_ref)
    service.sync_payment(buyer, payment.id)
    assert payment.status == PaymentStatus.canceled and payment.failure_message == "deal cancelled meanwhile"
    assert localstripe.intent(payment.provider_ref).status == "canceled"  # nothing was captured
    assert service.balances(payment_id=payment.id)["platform_escrow"] == 0
    agrees_with_stripe(payment)


def test_new_terms_cancel_the_open_payment_intent(db_session, localstripe, payable, buyer):
    first = start(buyer, payable)
    second = service.start_payment(buyer, payable, amount=AMOUNT * 2, fee=FEE * 2, currency="cny")
    assert first.status == PaymentStatus.canceled and localstripe.intent(first.provider_ref).status == "canceled"
    assert localstripe.intent(second.provider_ref).amount == 2 * TOTAL


def test_full_refund_returns_everything_at_stripe_and_in_the_books(db_session, localstripe, payable, buyer, admin):
    payment = paid(localstripe, buyer, payable)
    refund = service.refund(admin, payable, reason="deal cancelled by agreement")
    assert payment.status == PaymentStatus.refunded and refund.amount == TOTAL
    assert [r.amount for r in localstripe.refunds(payment.provider_ref)] == [TOTAL]
    assert refund.provider_ref == localstripe.refunds(payment.provider_ref)[0].id
    assert service.balances(org_id=payable.buyer_org_id)["buyer_cash"] == 0
    agrees_with_stripe(payment)


def test_refund_after_partial_delivery_then_release(db_session, localstripe, payable, buyer, admin):
    payment = paid(localstripe, buyer, payable)
    service.refund(admin, payable, amount=84_000, reason="two of five milestones not delivered")
    payout = service.release(admin, payable)
    assert payout.amount == AMOUNT - (84_000 - 4_000)  # 4000 of the refund came out of the fee
    books = service.balances()
    assert (books["platform_fee"], books["seller_payable"], books["platform_escrow"]) == (6_000, 120_000, 0)
    # Stripe and the ledger agree on what went back to the buyer.
    assert sum(r.amount for r in localstripe.refunds(payment.provider_ref)) == 84_000
    assert -service.balances(org_id=payable.buyer_org_id)["buyer_cash"] == TOTAL - 84_000
    agrees_with_stripe(payment)


def test_a_refund_larger_than_the_payment_is_refused_before_stripe(db_session, localstripe, payable, buyer, admin):
    payment = paid(localstripe, buyer, payable)
    with pytest.raises(ValidationFailed) as error:
        service.refund(admin, payable, amount=TOTAL + 1, reason="too much")  # localstripe itself would accept it
    assert error.value.errors["amount"] == [f"at most {TOTAL} can be refunded: {TOTAL} was paid and 0 already refunded"]
    service.refund(admin, payable, amount=TOTAL - 1, reason="nearly all")
    with pytest.raises(ValidationFailed):
        service.refund(admin, payable, amount=2, reason="one more than held")
    assert [r.amount for r in localstripe.refunds(payment.provider_ref)] == [TOTAL - 1]
    assert payment.status == PaymentStatus.held
    agrees_with_stripe(payment)


def test_refund_after_release_is_refused(db_session, localstripe, payable, buyer, admin):
    payment = paid(localstripe, buyer, payable)
    service.release(buyer, payable)
    with pytest.raises(Conflict, match="released to the seller"):
        service.refund(admin, payable, reason="too late")
    assert localstripe.refunds(payment.provider_ref) == []


def test_stripe_unreachable_is_502_and_leaves_a_failed_attempt(db_session, app, localstripe, payable, buyer,
                                                                 monkeypatch):
    monkeypatch.setitem(app.config, "STRIPE_API_BASE", "http://127.0.0.1:9")  # nothing listens there
    with pytest.raises(ProviderError) as error:
        start(buyer, payable)
    assert error.value.status == 502
    failed = service.payment_of(payable)
    assert (failed.status, failed.provider_ref) == (PaymentStatus.failed, None)
    assert service.balances(payment_id=failed.id)["platform_escrow"] == 0
    # Stripe is back: the buyer starts again, a new attempt opens its PaymentIntent.
    monkeypatch.setitem(app.config, "STRIPE_API_BASE", localstripe.url)
    retry = start(buyer, payable)
    assert retry.id != failed.id and retry.provider_ref.startswith("pi_") and failed.status == PaymentStatus.canceled


def test_reconcile_finds_money_moved_behind_the_ledgers_back(db_session, app, localstripe, payable, buyer):
    payment = paid(localstripe, buyer, payable)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["payments", "reconcile"])
    assert result.exit_code == 0 and "0 disagree" in result.output
    # Someone refunds in the Stripe dashboard, bypassing the platform.
    localstripe.client.v1.refunds.create(params={"payment_intent": payment.provider_ref, "amount": 1_000})
    assert service.reconcile(payment) == (f"payment {payment.id} ({payment.provider_ref}): Stripe kept {TOTAL - 1_000} "
                                          f"(captured {TOTAL}, refunded 1000), the ledger says {TOTAL}")
    result = runner.invoke(args=["payments", "reconcile"])
    assert result.exit_code == 1 and "1 disagree" in result.output


def test_the_payout_queue_from_the_shell(db_session, app, localstripe, payable, buyer):
    paid(localstripe, buyer, payable)
    payout = service.release(buyer, payable)
    result = app.test_cli_runner().invoke(args=["payments", "payouts"])
    assert f"#{payout.id}  org {payable.seller_org_id}  2,000.00 CNY  manual" in result.output
