"""Deals paid through Stripe (a real localstripe server, the official SDK, signed webhooks): an event delivered
twice, late or out of order changes the deal once and moves the money at most once; a declined card or a bad
signature changes nothing but what it should."""
from __future__ import annotations

import time

from app.core.extensions import db
from app.deals.models import DealStatus
from app.deals.service import deals_service
from app.payments import service as payments
from tests.deals.conftest import act, drive


def actions_of(deal) -> list[str]:
    return [e.action for e in deals_service.events_of(deal)]


def start(market, deal):
    act(market, "buyer", deal, "start_payment")
    payment = payments.payment_of(deal)
    assert payment.provider == "stripe"
    return payment


def test_webhooks_twice_late_and_out_of_order_change_the_deal_once(market, client, localstripe):
    deal = drive(market, DealStatus.awaiting_payment)
    payment = start(market, deal)
    assert localstripe.pay(payment.provider_ref).status == "requires_capture"
    authorised = localstripe.event_for(payment.provider_ref, "payment_intent.amount_capturable_updated")
    older_failure = localstripe.event_for(payment.provider_ref, "payment_intent.payment_failed",
                                          created=int(time.time()) - 60)
    assert localstripe.deliver(client, authorised).status_code == 200
    assert localstripe.deliver(client, authorised).status_code == 200  # the same event again
    assert localstripe.deliver(client, older_failure).status_code == 200  # late, and older
    again = localstripe.event_for(payment.provider_ref, "payment_intent.succeeded")  # a new event, same money
    assert localstripe.deliver(client, again).status_code == 200
    db.session.refresh(deal)
    assert deal.status == DealStatus.paid
    assert actions_of(deal).count("payment_confirmed") == 1 and "payment_failed" not in actions_of(deal)
    held = payments.payment_of(deal)
    assert held.status.value == "held" and payments.balances(payment_id=held.id)["platform_escrow"] == held.total
    assert localstripe.intent(payment.provider_ref).status == "succeeded"  # captured once


def test_a_bad_signature_changes_nothing(market, client, localstripe):
    deal = drive(market, DealStatus.awaiting_payment)
    payment = start(market, deal)
    localstripe.pay(payment.provider_ref)
    event = localstripe.event_for(payment.provider_ref, "payment_intent.amount_capturable_updated")
    assert localstripe.deliver(client, event, secret="whsec_wrong").status_code == 400
    db.session.refresh(deal)
    assert deal.status == DealStatus.awaiting_payment and actions_of(deal)[-1] == "start_payment"


def test_a_declined_card_is_a_payment_failed_event_then_a_good_card_pays(market, client, localstripe):
    deal = drive(market, DealStatus.awaiting_payment)
    payment = start(market, deal)
    declined = localstripe.pay(payment.provider_ref, card="4000000000000341")
    assert declined.status == "requires_payment_method"
    localstripe.deliver(client, localstripe.event_for(payment.provider_ref, "payment_intent.payment_failed"))
    db.session.refresh(deal)
    assert deal.status == DealStatus.awaiting_payment and actions_of(deal)[-1] == "payment_failed"
    assert deals_service.events_of(deal)[-1].payload["reason"]
    retry = start(market, deal)
    localstripe.pay(retry.provider_ref)
    localstripe.deliver(client, localstripe.event_for(retry.provider_ref, "payment_intent.amount_capturable_updated"))
    db.session.refresh(deal)
    assert deal.status == DealStatus.paid


def test_refund_on_cancellation_goes_back_through_stripe(market, client, localstripe):
    deal = drive(market, DealStatus.awaiting_payment)
    payment = start(market, deal)
    localstripe.pay(payment.provider_ref)
    localstripe.deliver(client, localstripe.event_for(payment.provider_ref, "payment_intent.amount_capturable_updated"))
    db.session.refresh(deal)
    act(market, "buyer", deal, "cancel", {"reason": "合作终止"})
    refunds = localstripe.refunds(payment.provider_ref)
    assert sum(r.amount for r in refunds) == payment.total and payments.payment_of(deal).status.value == "refunded"
