"""A deal's outside calls — e-mail and the payment provider — run after its actions commit, with no database
transaction open, and a provider failing inside a workflow action leaves the deal moved on, the ledger balanced
and the call pending until a retry makes it once."""
from __future__ import annotations

import smtplib

from sqlalchemy import select

from app.core.extensions import db
from app.deals.models import DealStatus
from app.payments import calls, ledger
from app.payments import service as payments
from app.payments.models import PaymentRefund, ProviderCall, ProviderCallKind, ProviderCallStatus
from app.payments.providers import ProviderError, TestProvider
from tests.deals.conftest import act, drive

PROVIDER_CALLS = ("create_intent", "capture", "cancel", "refund", "transfer")


def watch(monkeypatch, owner, name, seen, *, fail_first: bool = False):
    """Record each call of ``owner.name`` with whether a transaction was open; ``fail_first``: the provider is
    unreachable the first time."""
    original = getattr(owner, name)

    def watched(*args, **kwargs):
        seen.append((name, db.session().in_transaction()))
        if fail_first and [n for n, _ in seen].count(name) == 1:
            raise ProviderError("the provider is unreachable", retryable=True)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, watched)


def test_mail_and_provider_calls_of_a_deal_run_with_no_transaction_open(market, smtp_server, monkeypatch):
    seen = []
    watch(monkeypatch, smtplib.SMTP, "send_message", seen)
    for name in PROVIDER_CALLS:
        watch(monkeypatch, TestProvider, name, seen)
    deal = drive(market, DealStatus.paid)
    act(market, "seller", deal, "cancel", {"reason": "无法按期交付"})

    assert {"send_message", "create_intent", "capture", "refund"} <= {name for name, _ in seen}
    assert [name for name, in_transaction in seen if in_transaction] == []
    assert len(smtp_server) > 0


def test_a_refund_the_provider_failed_during_a_cancellation_is_made_once_by_the_retry(market, monkeypatch):
    deal = drive(market, DealStatus.paid)
    seen = []
    watch(monkeypatch, TestProvider, "refund", seen, fail_first=True)
    act(market, "seller", deal, "cancel", {"reason": "无法按期交付"})

    payment = payments.payment_of(deal)
    assert deal.status == DealStatus.cancelled and payment.status.value == "refunded"
    [refund] = db.session.scalars(select(PaymentRefund).where(PaymentRefund.payment_id == payment.id)).all()
    [call] = db.session.scalars(select(ProviderCall).where(ProviderCall.payment_id == payment.id,
                                                           ProviderCall.kind == ProviderCallKind.refund)).all()
    assert (call.status, call.last_error, refund.provider_ref) == (ProviderCallStatus.pending,
                                                                   "the provider is unreachable", None)
    assert ledger.unbalanced_transactions() == [] and payments.balances(payment_id=payment.id)["platform_escrow"] == 0

    assert calls.retry_pending() == (1, 0)
    assert calls.retry_pending() == (0, 0)
    assert len(seen) == 2 and call.status == ProviderCallStatus.succeeded
    assert refund.provider_ref.startswith("test_re_") and call.result_ref == refund.provider_ref
