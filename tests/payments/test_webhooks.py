"""The Stripe webhook: signatures, each event once, and duplicates / disorder / lateness changing nothing twice."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from app.core.extensions import db
from app.payments import service
from app.payments.models import LedgerTransaction, PaymentEvent, PaymentStatus
from tests.payments.fixtures import assert_books_balance, sign

AMOUNT, FEE = 50_000, 2_500
AUTHORISED = "payment_intent.amount_capturable_updated"


@pytest.fixture
def authorised(db_session, localstripe, payable, buyer):
    """A payment the buyer confirmed at localstripe; the app has not heard of it yet."""
    payment = service.start_payment(buyer, payable, amount=AMOUNT, fee=FEE, currency="cny")
    localstripe.pay(payment.provider_ref)
    return payment


def ledger_kinds(payment) -> list[str]:
    return list(db.session.scalars(
        select(LedgerTransaction.kind).where(LedgerTransaction.payment_id == payment.id).order_by(LedgerTransaction.id)
    ))


def stored_events() -> int:
    return db.session.scalar(select(func.count()).select_from(PaymentEvent))


@pytest.mark.parametrize("tamper", ["wrong secret", "no header", "changed body", "garbage header", "old timestamp"])
def test_a_bad_signature_is_400_and_changes_nothing(client, localstripe, authorised, payable_kind, tamper):
    event = localstripe.event_for(authorised.provider_ref, AUTHORISED)
    payload = json.dumps(event)
    header = {
        "wrong secret": sign(payload, "whsec_someone_else"),
        "no header": "",
        "changed body": sign(payload.replace(str(AMOUNT + FEE), "1")),
        "garbage header": "t=1,v1=00",
        "old timestamp": sign(payload, timestamp=1_600_000_000),
    }[tamper]
    before = stored_events()
    response = localstripe.deliver(client, event, signature=header)
    assert response.status_code == 400 and response.json["status"] == "BadWebhook"
    assert stored_events() == before and authorised.status == PaymentStatus.pending and not payable_kind.paid
    assert localstripe.intent(authorised.provider_ref).status == "requires_capture"


def test_a_body_that_is_not_an_event_is_400(client, localstripe, db_session):
    response = client.post("/api/v1/payments/webhook", data="not json",
                           headers={"Stripe-Signature": sign("not json")}, content_type="application/json")
    assert response.status_code == 400


@pytest.mark.parametrize("payload", [
    "[]", "{}", '"evt_1"', "42", "null", '{"type": "payment_intent.succeeded"}', '{"id": 5, "type": "x"}',
    '{"id": "evt_1", "type": "x", "data": []}', '{"id": "evt_1", "type": "x", "data": {"object": "pi_1"}}',
    '{"id": "evt_1", "type": "x", "created": "yesterday"}',
])
def test_a_signed_body_of_any_other_shape_is_400_and_stores_nothing(client, localstripe, db_session, payload):
    before = db_session.scalar(select(func.count()).select_from(PaymentEvent))
    response = client.post("/api/v1/payments/webhook", data=payload,
                           headers={"Stripe-Signature": sign(payload)}, content_type="application/json")
    assert response.status_code == 400 and response.json["status"] == "BadWebhook"
    assert db_session.scalar(select(func.count()).select_from(PaymentEvent)) == before


def test_without_a_webhook_secret_every_webhook_is_refused(client, app, localstripe, authorised, monkeypatch):
    monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_SECRET", None)
    response = localstripe.deliver(client, localstripe.event_for(authorised.provider_ref, AUTHORISED))
    assert response.status_code == 400 and authorised.status == PaymentStatus.pending


def test_the_authorisation_webhook_holds_the_money_once(client, localstripe, authorised, payable, payable_kind):
    event = localstripe.event_for(authorised.provider_ref, AUTHORISED)
    assert localstripe.deliver(client, event).json == {"received": True, "outcome": "held"}
    assert localstripe.deliver(client, event).json["outcome"] == "duplicate"
    assert authorised.status == PaymentStatus.held and payable_kind.paid == [(payable.id, authorised.id)]
    assert ledger_kinds(authorised) == ["payment"]
    assert localstripe.intent(authorised.provider_ref).status == "succeeded"

    # Capturing made localstripe emit payment_intent.succeeded: late news, nothing changes (twice).
    [succeeded] = localstripe.events(authorised.provider_ref, "payment_intent.succeeded")
    assert localstripe.deliver(client, succeeded).json["outcome"] == "unchanged"
    assert localstripe.deliver(client, succeeded).json["outcome"] == "duplicate"
    # Stripe may also send the same news under a new event id, late.
    late = localstripe.event_for(authorised.provider_ref, AUTHORISED)
    assert localstripe.deliver(client, late).json["outcome"] == "unchanged"
    assert len(payable_kind.paid) == 1 and ledger_kinds(authorised) == ["payment"]
    assert service.balances(payment_id=authorised.id)["platform_escrow"] == AMOUNT + FEE
    assert service.reconcile(authorised) is None  # Stripe captured it once, as the ledger says
    assert_books_balance()


def test_succeeded_alone_also_holds_the_money(client, localstripe, authorised, payable_kind):
    """Payment methods without manual capture (Alipay, WeChat Pay) only ever send payment_intent.succeeded."""
    event = localstripe.event_for(authorised.provider_ref, "payment_intent.succeeded")
    assert localstripe.deliver(client, event).json["outcome"] == "held"
    assert len(payable_kind.paid) == 1


def test_events_after_release_change_nothing(client, localstripe, authorised, payable, buyer, payable_kind):
    localstripe.deliver(client, localstripe.event_for(authorised.provider_ref, AUTHORISED))
    service.release(buyer, payable)
    for kind in (AUTHORISED, "payment_intent.succeeded", "payment_intent.payment_failed",
                 "payment_intent.requires_action", "payment_intent.canceled"):
        assert localstripe.deliver(client, localstripe.event_for(authorised.provider_ref, kind)).json["outcome"] \
            == "unchanged"
    assert authorised.status == PaymentStatus.released and len(payable_kind.paid) == 1
    assert ledger_kinds(authorised) == ["payment", "release"] and not payable_kind.failed
    assert service.reconcile(authorised) is None
    assert_books_balance()


def test_a_failure_arriving_after_the_success_is_ignored(client, localstripe, db_session, payable, buyer,
                                                         payable_kind):
    """Out of order: a declined first try's event comes after the success of the next try."""
    payment = service.start_payment(buyer, payable, amount=AMOUNT, fee=FEE, currency="cny")
    failed = localstripe.event_for(payment.provider_ref, "payment_intent.payment_failed", created=1_700_000_000)
    failed["data"]["object"].update(status="requires_payment_method",
                                    last_payment_error={"code": "card_declined", "message": "Your card was declined."})
    localstripe.pay(payment.provider_ref)
    authorised = localstripe.event_for(payment.provider_ref, AUTHORISED)
    assert localstripe.deliver(client, authorised).json["outcome"] == "held"
    assert localstripe.deliver(client, failed).json["outcome"] == "unchanged"
    assert payment.status == PaymentStatus.held and not payable_kind.failed


def test_an_older_attempt_event_does_not_overwrite_a_newer_one(client, localstripe, db_session, payable, buyer,
                                                              payable_kind):
    payment = service.start_payment(buyer, payable, amount=AMOUNT, fee=FEE, currency="cny")
    localstripe.pay(payment.provider_ref, card="4000000000000341")
    [failed] = localstripe.events(payment.provider_ref, "payment_intent.payment_failed")
    earlier = localstripe.event_for(payment.provider_ref, "payment_intent.requires_action",
                                    created=failed["created"] - 10)
    earlier["data"]["object"].update(status="requires_action", last_payment_error=None)
    assert localstripe.deliver(client, failed).json["outcome"] == "failed"
    assert localstripe.deliver(client, earlier).json["outcome"] == "stale"
    assert payment.status == PaymentStatus.failed and len(payable_kind.failed) == 1


def test_events_about_other_things_are_stored_and_ignored(client, localstripe, db_session):
    unknown_intent = {"id": "evt_unknown_pi", "object": "event", "type": AUTHORISED, "created": 1_700_000_000,
                      "data": {"object": {"id": "pi_not_ours", "object": "payment_intent",
                                          "status": "requires_capture"}}}
    other_type = {"id": "evt_customer", "object": "event", "type": "customer.created", "created": 1_700_000_000,
                  "data": {"object": {"id": "cus_1", "object": "customer"}}}
    for event in (unknown_intent, other_type):
        assert localstripe.deliver(client, event).json["outcome"] == "ignored"
        assert localstripe.deliver(client, event).json["outcome"] == "duplicate"


def test_localstripe_signed_events_verify(client, localstripe, db_session, payable, buyer, payable_kind):
    """An event exactly as localstripe signs and sends it (its own payload and signature scheme) is accepted."""
    payment = service.start_payment(buyer, payable, amount=AMOUNT, fee=FEE, currency="cny")
    localstripe.pay(payment.provider_ref, card="4000000000000341")
    [event] = localstripe.events(payment.provider_ref, "payment_intent.payment_failed")
    # localstripe's webhook sender: json.dumps(indent=2, sort_keys=True) signed as "t.payload".
    payload = json.dumps(event, indent=2, sort_keys=True)
    response = client.post("/api/v1/payments/webhook", data=payload, content_type="application/json",
                           headers={"Stripe-Signature": sign(payload, timestamp=event["created"])})
    assert response.status_code == 200 and response.json["outcome"] == "failed"
