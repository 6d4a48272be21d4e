"""The payments REST API and pages: who sees what, the test provider's confirmation, the payout desk."""
from __future__ import annotations

import pytest

from app.payments import service
from app.payments.models import PaymentStatus
from tests.factories import PASSWORD, bearer

API = "/api/v1/payments"


@pytest.fixture
def payment(test_provider, payable, buyer):
    return service.start_payment(buyer, payable, amount=100_000, fee=5_000, currency="cny", mode="assignment")


def test_a_payment_is_shown_to_its_parties_only(client, payment, buyer_user, tto_user, admin_user, provider_user):
    mine = client.get(f"{API}/{payment.id}", headers=bearer(buyer_user))
    assert mine.status_code == 200
    assert mine.json["status"] == "pending" and mine.json["total"] == 105_000 and mine.json["provider"] == "test"
    assert "client_secret" in mine.json  # the buyer's (none for the test provider)
    assert client.get(f"{API}/{payment.id}", headers=bearer(tto_user)).json["client_secret"] is None
    assert client.get(f"{API}/{payment.id}", headers=bearer(admin_user)).status_code == 200
    assert client.get(f"{API}/{payment.id}", headers=bearer(provider_user)).status_code == 404
    assert client.get(f"{API}/{payment.id}").status_code == 401
    assert client.get(f"{API}/999999", headers=bearer(buyer_user)).status_code == 404


def test_the_buyer_confirms_a_test_payment_through_the_api(client, payment, buyer_user, tto_user, payable_kind):
    assert client.post(f"{API}/{payment.id}/test-confirm", json={}, headers=bearer(tto_user)).status_code == 403
    bad = client.post(f"{API}/{payment.id}/test-confirm", json={"card_number": "1234"}, headers=bearer(buyer_user))
    assert bad.status_code == 422 and "card_number" in bad.json["errors"]
    declined = client.post(f"{API}/{payment.id}/test-confirm", json={"card_number": "4000000000000341"},
                           headers=bearer(buyer_user))
    assert declined.status_code == 200
    assert (declined.json["status"], declined.json["failure_message"]) == ("failed", "Your card was declined.")
    ok = client.post(f"{API}/{payment.id}/test-confirm", json={}, headers=bearer(buyer_user))
    assert ok.status_code == 200 and ok.json["status"] == "held"
    again = client.post(f"{API}/{payment.id}/test-confirm", json={}, headers=bearer(buyer_user))
    assert again.status_code == 409 and again.json["current_status"] == "held"
    assert client.post(f"{API}/{payment.id}/sync", headers=bearer(buyer_user)).status_code == 200
    assert len(payable_kind.paid) == 1


def test_sync_of_a_test_payment_waiting_for_payment_is_409(client, payment, buyer_user):
    response = client.post(f"{API}/{payment.id}/sync", headers=bearer(buyer_user))
    assert response.status_code == 409


def test_the_payout_desk_is_for_platform_admins(client, payment, payable, buyer, buyer_user, tto_user, admin_user):
    service.confirm_test_payment(buyer, payment.id)
    payout = service.release(buyer, payable)
    for user, status in ((None, 401), (buyer_user, 403), (tto_user, 403)):
        assert client.get(f"{API}/payouts", headers=bearer(user) if user else {}).status_code == status
        assert client.post(f"{API}/payouts/{payout.id}/record", json={"reference": "x"},
                           headers=bearer(user) if user else {}).status_code == status
    listed = client.get(f"{API}/payouts?status=pending", headers=bearer(admin_user))
    assert listed.status_code == 200 and [p["id"] for p in listed.json] == [payout.id]
    assert listed.headers["X-Total-Count"] == "1"
    assert client.get(f"{API}/payouts?status=lost", headers=bearer(admin_user)).status_code == 422
    empty = client.post(f"{API}/payouts/{payout.id}/record", json={"reference": ""}, headers=bearer(admin_user))
    assert empty.status_code == 422 and "reference" in empty.json["errors"]
    recorded = client.post(f"{API}/payouts/{payout.id}/record", json={"reference": "CMB-2026-001"},
                           headers=bearer(admin_user))
    assert recorded.status_code == 200 and recorded.json["status"] == "paid" and recorded.json["method"] == "manual"
    twice = client.post(f"{API}/payouts/{payout.id}/record", json={"reference": "CMB-2026-002"},
                        headers=bearer(admin_user))
    assert twice.status_code == 409
    assert client.post(f"{API}/payouts/999999/record", json={"reference": "x"},
                       headers=bearer(admin_user)).status_code == 404


def test_balances_and_accounts(client, payment, payable, buyer, buyer_user, tto_user, admin_user):
    service.confirm_test_payment(buyer, payment.id)
    service.release(buyer, payable)
    seller = client.get(f"{API}/balances/{payable.seller_org_id}", headers=bearer(tto_user))
    assert seller.status_code == 200 and seller.json["seller_payable"] == 100_000
    assert client.get(f"{API}/balances/{payable.seller_org_id}", headers=bearer(buyer_user)).status_code == 403
    assert client.put(f"{API}/accounts/{payable.seller_org_id}", json={"stripe_account_id": "acct_1A2b3C4d"},
                      headers=bearer(tto_user)).status_code == 403
    bad = client.put(f"{API}/accounts/{payable.seller_org_id}", json={"stripe_account_id": "1A2b3C4d"},
                     headers=bearer(admin_user))
    assert bad.status_code == 422 and "stripe_account_id" in bad.json["errors"]
    ok = client.put(f"{API}/accounts/{payable.seller_org_id}", json={"stripe_account_id": "acct_1A2b3C4d"},
                    headers=bearer(admin_user))
    assert ok.json == {"org_id": payable.seller_org_id, "stripe_account_id": "acct_1A2b3C4d"}


def login(client, user):
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302


def test_the_test_pay_page_is_clearly_labelled_and_pays(client, payment, buyer_user, payable_kind):
    login(client, buyer_user)
    page = client.get(f"/payments/{payment.id}/pay?next=/deals/1")
    assert page.status_code == 200 and 'id="test-provider-banner"' in page.text and "test-pay-form" in page.text
    declined = client.post(f"/payments/{payment.id}/pay", data={"card_number": "4000 0000 0000 0341"})
    assert declined.status_code == 302
    assert 'id="payment-error"' in client.get(declined.location).text
    bad = client.post(f"/payments/{payment.id}/pay", data={"card_number": "42"})
    assert bad.status_code == 422
    evil = client.post(f"/payments/{payment.id}/pay", data={"card_number": "4000000000000341",
                                                            "next": "//evil.example"})
    assert evil.status_code == 302 and "evil.example" not in evil.location
    paid = client.post(f"/payments/{payment.id}/pay", data={"card_number": "4242424242424242", "next": "/deals/1"})
    assert paid.status_code == 302 and paid.location.endswith("/deals/1")
    assert payment.status == PaymentStatus.held and len(payable_kind.paid) == 1
    again = client.post(f"/payments/{payment.id}/pay", data={"card_number": "4242424242424242"})
    assert again.status_code == 409 and len(payable_kind.paid) == 1


def test_the_pay_page_is_for_the_parties(client, payment, provider_user, tto_user):
    login(client, provider_user)
    assert client.get(f"/payments/{payment.id}/pay").status_code == 404
    login(client, tto_user)
    page = client.get(f"/payments/{payment.id}/pay")
    assert page.status_code == 200 and "test-pay-form" not in page.text  # the seller sees it, cannot pay


def test_the_stripe_pay_page_uses_stripe_js(client, localstripe, payable, buyer, buyer_user):
    payment = service.start_payment(buyer, payable, amount=100_000, fee=5_000, currency="cny")
    login(client, buyer_user)
    page = client.get(f"/payments/{payment.id}/pay")
    assert "stripe-pay-form" in page.text and f"{localstripe.url}/js.stripe.com/v3/" in page.text
    assert payment.client_secret in page.text and "test-provider-banner" not in page.text
    localstripe.pay(payment.provider_ref)
    back = client.get(f"/payments/{payment.id}/return?next=/deals/7")
    assert back.status_code == 302 and back.location.endswith("/deals/7") and payment.status == PaymentStatus.held


@pytest.mark.parametrize("raw", ["/%09/evil.example", "/%0a/evil.example", "//evil.example", "/%5Cevil.example",
                                 "https:%2F%2Fevil.example"])
def test_the_return_page_never_redirects_off_site(client, payment, buyer, buyer_user, raw):
    service.confirm_test_payment(buyer, payment.id)
    login(client, buyer_user)
    back = client.get(f"/payments/{payment.id}/return?next={raw}")
    assert back.status_code == 302 and back.location == f"/payments/{payment.id}/pay"


def test_admins_record_payouts_on_the_payout_page(client, payment, payable, buyer, admin_user, tto_user):
    service.confirm_test_payment(buyer, payment.id)
    payout = service.release(buyer, payable)
    login(client, tto_user)
    assert client.get("/payments/admin/payouts").status_code == 403
    login(client, admin_user)
    page = client.get("/payments/admin/payouts")
    assert page.status_code == 200 and f'name="payout_id" value="{payout.id}"' in page.text
    assert client.post("/payments/admin/payouts", data={"payout_id": payout.id, "reference": " "}).status_code == 422
    done = client.post("/payments/admin/payouts", data={"payout_id": payout.id, "reference": "ABC-1"})
    assert done.status_code == 302
    assert "ABC-1" in client.get("/payments/admin/payouts?status=paid").text


def test_production_refuses_to_start_without_stripe_keys():
    from config import ConfigurationError, load_settings

    production = {"ENV_NAME": "production", "SECRET_KEY": "s" * 40,
                  "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://db/techbridge",
                  "STRIPE_SECRET_KEY": None, "STRIPE_WEBHOOK_SECRET": None}
    with pytest.raises(ConfigurationError, match="STRIPE_SECRET_KEY"):
        load_settings("/nonexistent", production)
    with pytest.raises(ConfigurationError, match="STRIPE_WEBHOOK_SECRET"):
        load_settings("/nonexistent", {**production, "STRIPE_SECRET_KEY": "sk_live_x"})
    assert load_settings("/nonexistent", {**production, "STRIPE_SECRET_KEY": "sk_live_x",
                                          "STRIPE_WEBHOOK_SECRET": "whsec_x"})["ENV_NAME"] == "production"
