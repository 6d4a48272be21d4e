"""A schedule item paid through Stripe (a real localstripe server, signed webhooks) and paid out by a Connect
transfer (recorded responses): the webhook delivered twice funds it once; after release the dispute desk reverses
it through a transfer reversal and a refund; ``flask payments reconcile`` agrees after each step."""
from __future__ import annotations

from app.core.extensions import db
from app.payments import service as payments
from app.schedules.models import ItemKind, ItemStatus
from app.schedules.service import schedule_service
from tests.schedules.conftest import assert_books_balance, item_act, items, scheduled_deal

ACCOUNT = "acct_1SellerUniversity"


def reconciled(app) -> None:
    """The ``flask payments reconcile`` command finds no difference (exit 0)."""
    result = app.test_cli_runner().invoke(args=["payments", "reconcile"])
    assert result.exit_code == 0, result.output
    assert "0 disagree" in result.output


def test_stripe_funding_release_and_transfer_reversal(app, client, market, localstripe, stripe_connect):
    payments.set_connected_account(market.identity("admin"), market.seller_org.id, ACCOUNT)
    deal = scheduled_deal(market)
    instalment = items(deal, ItemKind.instalment)[0]
    item_act(market, "buyer", instalment, "start_payment")
    payment = payments.payment_of(instalment)
    assert payment.provider == "stripe"
    localstripe.pay(payment.provider_ref)
    event = localstripe.event_for(payment.provider_ref, "payment_intent.amount_capturable_updated")
    assert localstripe.deliver(client, event).status_code == 200
    assert localstripe.deliver(client, event).status_code == 200  # delivered twice
    db.session.refresh(instalment)
    assert instalment.status == ItemStatus.funded
    assert [e.action for e in schedule_service.events_of(instalment)].count("payment_confirmed") == 1
    assert_books_balance()
    reconciled(app)

    item_act(market, "buyer", instalment, "release")
    payout = payments.payment_of(instalment).payout
    assert payout.status.value == "paid" and payout.transfer_ref.startswith("tr_")
    assert_books_balance()
    reconciled(app)

    item_act(market, "admin", instalment, "reverse", {"reason": "争议裁决：技术资料不符", "method": "stripe_transfer"})
    db.session.refresh(instalment)
    assert instalment.status == ItemStatus.reversed
    reversal = stripe_connect.requests[-1]
    assert reversal["path"] == f"/v1/transfers/{payout.transfer_ref}/reversals"
    assert int(reversal["params"]["amount"]) == payout.amount
    refunds = localstripe.refunds(payment.provider_ref)
    assert sum(r.amount for r in refunds) == payment.total
    books = payments.balances(payment_id=payment.id)
    assert books["platform_escrow"] == books["buyer_cash"] == books["payout"] == books["platform_fee"] == 0
    assert_books_balance()
    reconciled(app)
