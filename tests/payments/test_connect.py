"""Payouts by Stripe Connect transfer. localstripe has no Connect API, so transfers go to a local server that
replays recorded Stripe responses (tests/payments/recorded/), while the payment itself runs on localstripe."""
from __future__ import annotations

import pytest

from app.core.errors import NotFound, PermissionDenied, ValidationFailed
from app.payments import service
from app.payments.models import PayoutMethod, PayoutStatus
from tests.payments.fixtures import SECRET_KEY, assert_books_balance

ACCOUNT = "acct_1MTfjCQ9PRzxEwkZ"


@pytest.fixture
def held(localstripe, payable, buyer):
    payment = service.start_payment(buyer, payable, amount=300_000, fee=15_000, currency="cny")
    localstripe.pay(payment.provider_ref)
    return service.sync_payment(buyer, payment.id)


def test_a_seller_with_a_connected_account_is_paid_by_transfer(stripe_connect, held, payable, buyer, admin):
    service.set_connected_account(admin, payable.seller_org_id, ACCOUNT)
    payout = service.release(buyer, payable)

    [request] = stripe_connect.requests
    assert request["path"] == "/v1/transfers" and request["authorization"] == f"Bearer {SECRET_KEY}"
    assert request["params"]["amount"] == "300000" and request["params"]["destination"] == ACCOUNT
    assert request["params"]["source_transaction"] == held.charge_ref  # funded by the buyer's charge
    assert request["idempotency_key"] == f"{held.idempotency_key}-transfer"
    assert (payout.method, payout.status) == (PayoutMethod.stripe_transfer, PayoutStatus.paid)
    assert payout.transfer_ref.startswith("tr_") and payout.paid_at is not None
    seller_books = service.balances(org_id=payable.seller_org_id)
    assert (seller_books["seller_payable"], seller_books["payout"]) == (0, 300_000)
    assert service.balances()["platform_fee"] == 15_000
    assert_books_balance()


def test_a_failed_transfer_waits_for_an_admin(stripe_connect, held, payable, buyer, admin):
    service.set_connected_account(admin, payable.seller_org_id, ACCOUNT)
    stripe_connect.failing_accounts.add(ACCOUNT)
    payout = service.release(buyer, payable)
    assert payout.status == PayoutStatus.pending and "insufficient available funds" in payout.failure_message
    assert service.balances(org_id=payable.seller_org_id)["seller_payable"] == 300_000
    assert payout in service.list_payouts(admin, status="pending")[0]

    service.record_manual_payout(admin, payout.id, "HSBC-HK-0042")
    assert (payout.method, payout.status, payout.reference) == (PayoutMethod.manual, PayoutStatus.paid, "HSBC-HK-0042")
    assert service.balances(org_id=payable.seller_org_id)["payout"] == 300_000
    assert_books_balance()


def test_without_a_connected_account_no_transfer_is_tried(stripe_connect, held, payable, buyer):
    payout = service.release(buyer, payable)
    assert stripe_connect.requests == [] and payout.method == PayoutMethod.manual
    assert payout.status == PayoutStatus.pending


def test_connected_accounts_are_set_by_platform_admins_only(db_session, payable, seller, admin, enterprise):
    with pytest.raises(PermissionDenied):
        service.set_connected_account(seller, payable.seller_org_id, ACCOUNT)
    with pytest.raises(ValidationFailed) as error:
        service.set_connected_account(admin, payable.seller_org_id, "12345")
    assert "stripe_account_id" in error.value.errors
    with pytest.raises(NotFound):
        service.set_connected_account(admin, 999_999, ACCOUNT)
    service.set_connected_account(admin, payable.seller_org_id, ACCOUNT)
    with pytest.raises(ValidationFailed, match="Invalid input"):
        service.set_connected_account(admin, enterprise.id, ACCOUNT)  # another organisation's account
    account = service.set_connected_account(admin, payable.seller_org_id, "acct_replacement1")
    assert account.stripe_account_id == "acct_replacement1"
