"""The embedded default (no Stripe key): the test provider runs the same service path as Stripe."""
from __future__ import annotations

import pytest

from app.core.errors import Conflict, PermissionDenied, ValidationFailed
from app.core.identity import Identity
from app.payments import service
from app.payments.models import Payment, PaymentStatus, PayoutMethod, PayoutStatus
from tests.payments.fixtures import assert_books_balance

pytestmark = pytest.mark.usefixtures("test_provider")

AMOUNT, FEE = 100_000, 5_000


def pay(buyer, payable, card="4242424242424242", **kwargs):
    payment = service.start_payment(buyer, payable, amount=AMOUNT, fee=FEE, currency="cny", mode="assignment")
    return service.confirm_test_payment(buyer, payment.id, card_number=card, **kwargs)


def test_fee_is_five_percent_by_default_and_configurable_per_mode(app, monkeypatch):
    with app.app_context():
        assert service.fee_for("assignment", 100_000) == 5_000
        assert service.fee_for("unknown_mode", 1_001) == 50  # 50.05 rounds half up to 50
        assert service.fee_for("assignment", 1_010) == 51  # 50.5 → 51
        monkeypatch.setitem(app.config, "PLATFORM_FEES", {"equity": 0.02})
        assert service.fee_for("equity", 100_000) == 2_000


def test_a_whole_test_payment_pays_holds_releases_and_is_paid_out(db_session, payable, buyer, admin, payable_kind):
    payment = service.start_payment(buyer, payable, amount=AMOUNT, fee=FEE, currency="CNY", mode="assignment")
    assert payment.provider == "test" and payment.provider_ref.startswith("test_pi_")
    assert payment.status == PaymentStatus.pending and payment.total == 105_000 and payment.currency == "cny"

    service.confirm_test_payment(buyer, payment.id)
    assert payment.status == PaymentStatus.held
    assert payable_kind.paid == [(payable.id, payment.id)]
    assert service.balances(payment_id=payment.id)["platform_escrow"] == 105_000
    assert service.balances(org_id=payable.buyer_org_id)["buyer_cash"] == -105_000
    assert service.payment_of(payable) is payment

    payout = service.release(buyer, payable)
    assert payment.status == PaymentStatus.released
    assert (payout.method, payout.status, payout.amount) == (PayoutMethod.manual, PayoutStatus.pending, AMOUNT)
    books = service.balances()
    assert (books["platform_escrow"], books["platform_fee"], books["seller_payable"]) == (0, FEE, AMOUNT)

    service.record_manual_payout(admin, payout.id, "  工行转账 20260101-001 ")
    assert payout.status == PayoutStatus.paid and payout.reference == "工行转账 20260101-001"
    seller_books = service.balances(org_id=payable.seller_org_id)
    assert (seller_books["seller_payable"], seller_books["payout"]) == (0, AMOUNT)
    assert_books_balance()


def test_starting_twice_with_the_same_terms_returns_the_open_attempt(db_session, payable, buyer):
    first = service.start_payment(buyer, payable, amount=AMOUNT, fee=FEE, currency="cny")
    assert service.start_payment(buyer, payable, amount=AMOUNT, fee=FEE, currency="cny") is first
    second = service.start_payment(buyer, payable, amount=AMOUNT + 1, fee=FEE, currency="cny")
    assert second.id != first.id and first.status == PaymentStatus.canceled
    service.confirm_test_payment(buyer, second.id)
    with pytest.raises(Conflict, match="paid already"):
        service.start_payment(buyer, payable, amount=AMOUNT, fee=FEE, currency="cny")


def test_a_declined_card_fails_with_the_reason_and_can_be_retried(db_session, payable, buyer, payable_kind):
    payment = pay(buyer, payable, card="4000 0000 0000 0341")
    assert payment.status == PaymentStatus.failed
    assert (payment.failure_code, payment.failure_message) == ("card_declined", "Your card was declined.")
    assert payable_kind.failed == [(payable.id, payment.id, "Your card was declined.")] and not payable_kind.paid
    assert service.balances(payment_id=payment.id)["platform_escrow"] == 0

    service.confirm_test_payment(buyer, payment.id, card_number="4242424242424242")
    assert payment.status == PaymentStatus.held and payment.failure_message is None
    assert_books_balance()


def test_three_d_secure_needs_the_authentication_step(db_session, payable, buyer, payable_kind):
    payment = pay(buyer, payable, card="4000002500003155")
    assert payment.status == PaymentStatus.requires_action and not payable_kind.paid
    service.confirm_test_payment(buyer, payment.id, card_number="4000002500003155", authenticated=True)
    assert payment.status == PaymentStatus.held and payable_kind.paid == [(payable.id, payment.id)]


def test_paying_twice_is_refused_and_money_moves_once(db_session, payable, buyer, payable_kind):
    payment = pay(buyer, payable)
    with pytest.raises(Conflict, match="held"):
        service.confirm_test_payment(buyer, payment.id)
    assert len(payable_kind.paid) == 1
    assert service.balances(payment_id=payment.id)["platform_escrow"] == AMOUNT + FEE


def test_a_payable_refusing_the_money_voids_the_payment(db_session, payable, buyer, payable_kind):
    payable_kind.refuse = "the deal was cancelled"
    payment = pay(buyer, payable)
    assert payment.status == PaymentStatus.canceled
    assert (payment.failure_code, payment.failure_message) == ("voided", "the deal was cancelled")
    assert service.balances(payment_id=payment.id)["platform_escrow"] == 0
    assert_books_balance()


def test_only_the_buyer_pays_and_only_the_right_parties_move_money(db_session, payable, buyer, seller, admin):
    with pytest.raises(PermissionDenied):
        service.start_payment(seller, payable, amount=AMOUNT, fee=FEE, currency="cny")
    payment = service.start_payment(buyer, payable, amount=AMOUNT, fee=FEE, currency="cny")
    with pytest.raises(PermissionDenied):
        service.confirm_test_payment(seller, payment.id)
    with pytest.raises(PermissionDenied):
        service.confirm_test_payment(admin, payment.id)
    service.confirm_test_payment(buyer, payment.id)
    with pytest.raises(PermissionDenied):
        service.release(seller, payable)
    with pytest.raises(PermissionDenied):
        service.refund(buyer, payable, reason="I changed my mind")
    with pytest.raises(PermissionDenied):
        service.record_manual_payout(seller, 1, "x")
    assert payment.status == PaymentStatus.held


@pytest.mark.parametrize("terms, field", [
    ({"amount": 0}, "amount"), ({"amount": -5}, "amount"), ({"amount": 10.5}, "amount"), ({"amount": True}, "amount"),
    ({"fee": -1}, "fee"), ({"fee": AMOUNT + 1}, "fee"),
    ({"currency": "yuan"}, "currency"), ({"currency": 156}, "currency"),
])
def test_bad_terms_are_refused_naming_the_field(db_session, payable, buyer, terms, field):
    with pytest.raises(ValidationFailed) as error:
        service.start_payment(buyer, payable, **{"amount": AMOUNT, "fee": FEE, "currency": "cny", **terms})
    assert field in error.value.errors
    assert service.payment_of(payable) is None


def test_a_bad_card_number_is_a_field_error(db_session, payable, buyer):
    payment = service.start_payment(buyer, payable, amount=AMOUNT, fee=FEE, currency="cny")
    with pytest.raises(ValidationFailed) as error:
        service.confirm_test_payment(buyer, payment.id, card_number="4242 4242 4242 4241")
    assert "card_number" in error.value.errors and payment.status == PaymentStatus.pending


def test_release_and_refund_need_a_held_payment(db_session, payable, buyer, admin):
    with pytest.raises(Conflict, match="nothing has been paid"):
        service.release(buyer, payable)
    with pytest.raises(Conflict, match="nothing has been paid"):
        service.refund(admin, payable, reason="cancelled")
    pay(buyer, payable)
    service.release(Identity.system(), payable)
    with pytest.raises(Conflict, match="released"):
        service.release(buyer, payable)
    with pytest.raises(Conflict, match="released to the seller"):
        service.refund(admin, payable, reason="dispute")


def test_refunds_never_exceed_what_was_paid(db_session, payable, buyer, seller, admin):
    payment = pay(buyer, payable)
    with pytest.raises(ValidationFailed) as error:
        service.refund(admin, payable, amount=AMOUNT + FEE + 1, reason="dispute")
    assert "at most 105000" in error.value.errors["amount"][0]
    for amount in (0, -1, 1.5):
        with pytest.raises(ValidationFailed):
            service.refund(admin, payable, amount=amount, reason="dispute")
    with pytest.raises(ValidationFailed) as error:
        service.refund(seller, payable, amount=10, reason="  ")
    assert "reason" in error.value.errors

    service.refund(seller, payable, amount=42_000, reason="partial delivery")
    with pytest.raises(ValidationFailed, match="exceed"):
        service.refund(admin, payable, amount=63_001, reason="more")
    service.refund(admin, payable, reason="the rest")  # default: all still held
    assert payment.status == PaymentStatus.refunded and payment.refunded_amount == AMOUNT + FEE
    assert payment.refunded_fee == FEE  # a full refund returns the platform fee too
    assert service.balances(org_id=payable.buyer_org_id)["buyer_cash"] == 0
    with pytest.raises(Conflict, match="refunded in full"):
        service.refund(admin, payable, amount=1, reason="again")
    with pytest.raises(Conflict):
        service.release(buyer, payable)
    assert_books_balance()


def test_refund_after_partial_delivery_releases_the_rest_less_the_fee(db_session, payable, buyer, admin):
    payment = pay(buyer, payable)
    refund = service.refund(admin, payable, amount=42_000, reason="only 60% delivered")
    assert refund.fee_part == 2_000  # refunds come out of the fee in proportion: 42000 × 5000 / 105000
    payout = service.release(admin, payable)
    assert payout.amount == 60_000  # 100000 − (42000 − 2000)
    books = service.balances()
    assert (books["platform_fee"], books["seller_payable"], books["platform_escrow"]) == (3_000, 60_000, 0)
    assert service.balances(org_id=payable.buyer_org_id)["buyer_cash"] == -(105_000 - 42_000)
    assert payment.status == PaymentStatus.released
    assert_books_balance()


def test_manual_payouts_are_recorded_once_with_a_reference(db_session, payable, buyer, admin):
    pay(buyer, payable)
    payout = service.release(buyer, payable)
    with pytest.raises(ValidationFailed) as error:
        service.record_manual_payout(admin, payout.id, " ")
    assert "reference" in error.value.errors
    rows, total = service.list_payouts(admin, status="pending")
    assert payout in rows
    service.record_manual_payout(admin, payout.id, "BOC-778")
    with pytest.raises(Conflict, match="recorded already|已记录"):
        service.record_manual_payout(admin, payout.id, "BOC-779")
    assert payout.reference == "BOC-778"
    assert payout not in service.list_payouts(admin, status="pending")[0]
    with pytest.raises(PermissionDenied):
        service.list_payouts(Identity(user_id=1, org_id=payable.seller_org_id, role="org_admin"))
    assert_books_balance()


def test_the_seller_hears_about_a_payout(db_session, payable, buyer, admin, tto_user):
    from app.notifications.models import Notification

    pay(buyer, payable)
    payout = service.release(buyer, payable)
    service.record_manual_payout(admin, payout.id, "ICBC-1")
    note = db_session.query(Notification).filter_by(user_id=tto_user.id, kind="payout_paid").one()
    assert "1,000.00 CNY" in note.title and "ICBC-1" in note.body


def test_a_second_attempt_paying_an_already_paid_payable_is_voided(db_session, payable, buyer, payable_kind):
    """Two attempts opened at the same moment (nothing to lock before the first row exists) both get paid:
    the second is voided, so money moves once."""
    first = service.start_payment(buyer, payable, amount=AMOUNT, fee=FEE, currency="cny")
    racing = Payment(payable_kind=first.payable_kind, payable_id=first.payable_id, buyer_org_id=first.buyer_org_id,
                     seller_org_id=first.seller_org_id, amount=AMOUNT, fee=FEE, currency="cny", provider="test",
                     provider_ref="test_pi_racing", idempotency_key="tb-racing")
    db_session.add(racing)
    db_session.flush()
    service.confirm_test_payment(buyer, first.id)
    service.confirm_test_payment(buyer, racing.id)
    assert first.status == PaymentStatus.held and racing.status == PaymentStatus.canceled
    assert racing.failure_message == f"payment #{first.id} has already paid for this"
    assert payable_kind.paid == [(payable.id, first.id)]
    assert service.balances()["platform_escrow"] == AMOUNT + FEE
    assert service.payment_of(payable) is first
    assert_books_balance()
