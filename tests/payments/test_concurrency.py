"""Webhook deliveries racing each other, with real commits (run on PostgreSQL in CI: row locks and the unique
event id decide; on SQLite the database lock serialises writers and a loser may get a retryable error)."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import delete, func, select

from app.core.extensions import db
from app.core.identity import Identity
from app.orgs.models import Organisation, OrgKind
from app.payments import calls, service
from app.payments.models import (
    LedgerEntry,
    LedgerTransaction,
    Payment,
    PaymentEvent,
    PaymentRefund,
    PaymentStatus,
    ProviderCall,
)
from tests.payments.fixtures import DummyPayable, assert_books_balance

THREADS = 8
AUTHORISED = "payment_intent.amount_capturable_updated"


@pytest.fixture
def committed_payment(app, localstripe, payable_kind):
    """A confirmed (authorised) Stripe payment, committed for real; everything it leaves is deleted after."""
    with app.app_context():
        buyer_org = Organisation(name="并发测试买方", kind=OrgKind.enterprise)
        seller_org = Organisation(name="并发测试卖方", kind=OrgKind.university)
        db.session.add_all([buyer_org, seller_org])
        db.session.commit()
        org_ids = (buyer_org.id, seller_org.id)
        buyer = Identity(user_id=None, org_id=buyer_org.id, org_kind="enterprise", role="org_admin")
        payable = DummyPayable(id=987_654, buyer_org_id=buyer_org.id, seller_org_id=seller_org.id)
        payment = service.start_payment(buyer, payable, amount=80_000, fee=4_000, currency="cny")
        payment_id, intent_id = payment.id, payment.provider_ref
        localstripe.pay(intent_id)
        db.session.remove()
    yield payment_id, intent_id
    with app.app_context():
        transactions = select(LedgerTransaction.id).where(LedgerTransaction.payment_id == payment_id)
        db.session.execute(delete(LedgerEntry).where(LedgerEntry.transaction_id.in_(transactions)))
        db.session.execute(delete(LedgerTransaction).where(LedgerTransaction.payment_id == payment_id))
        db.session.execute(delete(PaymentEvent).where(PaymentEvent.payment_id == payment_id))
        db.session.execute(delete(ProviderCall).where(ProviderCall.payment_id == payment_id))
        db.session.execute(delete(PaymentRefund).where(PaymentRefund.payment_id == payment_id))
        db.session.execute(delete(Payment).where(Payment.id == payment_id))
        db.session.execute(delete(Organisation).where(Organisation.id.in_(org_ids)))
        db.session.commit()
        db.session.remove()


def deliver_all(app, localstripe, events: list[dict]) -> list:
    """Deliver ``events`` from one thread each, all released at once; returns outcomes (or the error)."""
    barrier = threading.Barrier(len(events))
    outcomes = [None] * len(events)

    def run(index, event):
        client = app.test_client()
        barrier.wait()
        try:
            response = localstripe.deliver(client, event)
            outcomes[index] = response.json["outcome"] if response.status_code == 200 else response.status_code
        except Exception as error:  # SQLite: "database is locked" is a 500 Stripe would retry
            outcomes[index] = type(error).__name__

    threads = [threading.Thread(target=run, args=(i, e)) for i, e in enumerate(events)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def _check_money_moved_once(app, payment_id, payable_kind) -> None:
    with app.app_context():
        payment = db.session.get(Payment, payment_id)
        assert payment.status == PaymentStatus.held
        kinds = db.session.scalars(select(LedgerTransaction.kind).where(LedgerTransaction.payment_id == payment_id))
        assert list(kinds) == ["payment"]
        assert service.balances(payment_id=payment_id)["platform_escrow"] == 84_000
        assert_books_balance()
        db.session.remove()
    assert [call[1] for call in payable_kind.paid] == [payment_id]


def _on_postgres(app) -> bool:
    with app.app_context():
        return db.engine.dialect.name == "postgresql"


def _retryable(outcome) -> bool:
    return outcome in ("OperationalError", 500)


def test_the_same_event_delivered_concurrently_is_applied_once(app, localstripe, committed_payment, payable_kind):
    payment_id, intent_id = committed_payment
    event = localstripe.event_for(intent_id, AUTHORISED)
    outcomes = deliver_all(app, localstripe, [event] * THREADS)
    assert outcomes.count("held") == 1, outcomes
    assert all(o == "duplicate" or _retryable(o) for o in outcomes if o != "held"), outcomes
    if _on_postgres(app):
        assert outcomes.count("duplicate") == THREADS - 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PaymentEvent).where(
            PaymentEvent.event_id == event["id"])) == 1
        db.session.remove()
    _check_money_moved_once(app, payment_id, payable_kind)


def test_different_events_about_one_payment_racing_move_money_once(app, localstripe, committed_payment,
                                                                   payable_kind):
    payment_id, intent_id = committed_payment
    events = [localstripe.event_for(intent_id, kind) for kind in (AUTHORISED, "payment_intent.succeeded") * 4]
    outcomes = deliver_all(app, localstripe, events)
    assert outcomes.count("held") == 1, outcomes
    assert all(o == "unchanged" or _retryable(o) for o in outcomes if o != "held"), outcomes
    if _on_postgres(app):
        assert outcomes.count("unchanged") == len(events) - 1
    _check_money_moved_once(app, payment_id, payable_kind)


@pytest.fixture
def live_webhook(app, localstripe):
    """The app served on 127.0.0.1 with localstripe delivering its signed events to the webhook there."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    localstripe.register_webhook(f"http://127.0.0.1:{server.server_port}/api/v1/payments/webhook")
    yield
    localstripe.register_webhook("http://127.0.0.1:9/closed")  # localstripe cannot forget a webhook
    server.shutdown()


def test_localstripe_delivers_signed_events_to_the_webhook(app, localstripe, committed_payment, live_webhook,
                                                           payable_kind):
    """Capturing makes localstripe send payment_intent.succeeded itself: it verifies and changes nothing."""
    payment_id, intent_id = committed_payment
    with app.app_context():
        service.sync_payment(Identity.system(), payment_id)  # the Stripe.js return: held and captured
        db.session.remove()
    outcome = None
    for _ in range(200):  # localstripe sends its webhooks a second after the event, from its own event loop
        with app.app_context():
            outcome = db.session.scalar(select(PaymentEvent.outcome).where(
                PaymentEvent.payment_id == payment_id, PaymentEvent.type == "payment_intent.succeeded"))
            db.session.remove()
        if outcome:
            break
        threading.Event().wait(0.1)
    assert outcome == "unchanged"
    _check_money_moved_once(app, payment_id, payable_kind)


def test_workers_retrying_the_same_pending_refund_record_it_once(app, localstripe, committed_payment, payable_kind,
                                                                 monkeypatch):
    """Two outbox workers pick up a refund whose answer was lost: Stripe refunds once (the idempotency key) and
    one of them records the answer (the call's row lock)."""
    payment_id, intent_id = committed_payment
    with app.app_context():
        service.sync_payment(Identity.system(), payment_id)  # held and captured
        payable = DummyPayable(id=987_654, buyer_org_id=db.session.get(Payment, payment_id).buyer_org_id,
                               seller_org_id=db.session.get(Payment, payment_id).seller_org_id)
        with monkeypatch.context() as patch:
            patch.setattr(calls, "_record_answer", lambda call_id, answer: None)  # the process dies after Stripe
            refund_id = service.refund(Identity.system(), payable, reason="cancelled").id
        db.session.remove()
    barrier = threading.Barrier(2)
    results = []

    def worker():
        with app.app_context():
            barrier.wait()
            try:
                results.append(calls.retry_pending())
            except Exception as error:  # SQLite: "database is locked"; the call stays pending for the next pass
                results.append(type(error).__name__)
            db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if _on_postgres(app):
        assert sorted(results) == [(0, 0), (1, 0)], results
    with app.app_context():
        calls.retry_pending()  # whatever a locked-out SQLite worker left
        refund = db.session.get(PaymentRefund, refund_id)
        [at_stripe] = localstripe.refunds(intent_id)
        assert refund.provider_ref == at_stripe.id and at_stripe.amount == 84_000
        assert db.session.scalars(select(ProviderCall.status).where(ProviderCall.payment_id == payment_id)).all() == [
            "succeeded", "succeeded", "succeeded"]
        assert_books_balance()
        db.session.remove()
