"""Standalone service orders: the transition table generated from their machine, a whole order with its report
and payment, refunds, expiry, and the API (422 naming fields, 404 for outsiders, 409 with the current status)."""
from __future__ import annotations

import io

import pytest

from app.core.errors import Conflict, ValidationFailed
from app.core.extensions import db
from app.core.workflow import Machine
from app.payments import service as payments
from app.service_orders.actions import MACHINE
from app.service_orders.models import OrderStatus
from app.service_orders.service import service_orders_service
from tests.api.conftest import bearer, pdf_bytes
from tests.deals.table import check_every_cell
from tests.service_orders.conftest import act, drive, order, pay

API = "/api/v1/service-orders"


@pytest.mark.parametrize("status", list(OrderStatus), ids=lambda s: s.value)
def test_every_action_for_every_actor(market, status):
    check_every_cell(
        service_orders_service, status=status, make=lambda: drive(market, status),
        run=lambda actor, obj, action: act(market, actor, obj, action),
        through_payments={"payment_confirmed": lambda obj: pay(market, obj),
                          "payment_failed": lambda obj: pay(market, obj, card="4000000000000341")},
    )


def test_orders_and_deals_share_the_engine():
    from app.core.workflow import Expire
    from app.deals.actions import MACHINE as DEALS
    from app.transactions.workflow import Cancel, Dispute, PaymentConfirmed, StartPayment

    assert isinstance(MACHINE, Machine) and isinstance(DEALS, Machine)
    for base in (Cancel, Dispute, Expire, PaymentConfirmed, StartPayment):
        assert isinstance(MACHINE[base.name], base) and isinstance(DEALS[base.name], base)


def test_a_whole_order_with_its_report_and_payment(market, smtp_server):
    obj = order(market)
    assert {m["To"] for m in smtp_server} == {market.pilot_user.email}  # the provider must quote
    act(market, "seller", obj, "quote")
    act(market, "buyer", obj, "decline_quote", {"reason": "价格偏高，请重新报价"})
    assert obj.status == OrderStatus.requested
    act(market, "seller", obj, "quote", {"amount": "52000", "lead_time_days": 25})
    act(market, "buyer", obj, "accept_quote")
    pay(market, obj)
    assert obj.status == OrderStatus.in_progress
    act(market, "seller", obj, "deliver_report")
    assert obj.report.filename == "中试报告.pdf" and obj.report_summary
    act(market, "buyer", obj, "confirm_report")
    payment = payments.payment_of(obj)
    assert obj.status == OrderStatus.completed and payment.status.value == "released"
    assert payment.amount == 5_200_000 and payment.fee == 260_000  # 5% (config PLATFORM_FEES["service_order"])
    assert [e.action for e in service_orders_service.events_of(obj)] == [
        "create", "quote", "decline_quote", "quote", "accept_quote", "start_payment", "payment_confirmed",
        "deliver_report", "confirm_report"]


def test_cancelling_a_paid_order_refunds(market):
    obj = drive(market, OrderStatus.in_progress)
    act(market, "seller", obj, "cancel", {"reason": "设备故障"})
    assert payments.payment_of(obj).status.value == "refunded"


def test_a_delivered_report_can_only_be_disputed(market):
    obj = drive(market, OrderStatus.report_delivered)
    with pytest.raises(Conflict):
        act(market, "buyer", obj, "cancel")
    act(market, "buyer", obj, "dispute", {"reason": "报告数据不完整"})
    act(market, "admin", obj, "resolve_release")
    assert obj.status == OrderStatus.completed and payments.payment_of(obj).status.value == "released"


def test_ordering_rules(market):
    with pytest.raises(ValidationFailed) as own:
        service_orders_service.create(market.identity("pilot_user"), {"offer_id": market.pilot_offer.id,
                                                                      "request_text": "自己下单给自己"})
    assert "offer_id" in own.value.errors
    with pytest.raises(ValidationFailed) as short:
        service_orders_service.create(market.identity("buyer"), {"offer_id": market.pilot_offer.id,
                                                                 "request_text": ""})
    assert "request_text" in short.value.errors


def test_the_expiry_job(market, app):
    from tests.deals.conftest import make_stale

    stale, running = drive(market, OrderStatus.quoted), drive(market, OrderStatus.in_progress)
    make_stale(stale)
    result = app.test_cli_runner().invoke(args=["service-orders", "expire"])
    assert result.exit_code == 0 and result.output.startswith("1 service orders expired")
    db.session.refresh(stale)
    db.session.refresh(running)
    assert stale.status == OrderStatus.expired and running.status == OrderStatus.in_progress


def test_the_api(client, market):
    buyer, provider, outsider = bearer(market.buyer), bearer(market.pilot_user), bearer(market.outsider)
    bad = client.post(API, json={"offer_id": "x"}, headers=buyer)
    assert bad.status_code == 422 and set(bad.get_json()["errors"]) == {"offer_id", "request_text"}
    created = client.post(API, json={"offer_id": market.lab_offer.id, "request_text": "检测三个样品的循环寿命"},
                          headers=buyer)
    assert created.status_code == 201 and created.get_json()["kind"] == "inspection"
    order_id = created.get_json()["id"]
    lab = bearer(market.lab_user)
    assert client.get(f"{API}/{order_id}", headers=outsider).status_code == 404
    assert [a["name"] for a in client.get(f"{API}/{order_id}", headers=lab).get_json()["next_actions"]] == [
        "quote", "decline", "cancel", "dispute"]
    bad_quote = client.post(f"{API}/{order_id}/actions/quote", json={"amount": "-3"}, headers=lab)
    assert bad_quote.status_code == 422 and set(bad_quote.get_json()["errors"]) == {"amount", "lead_time_days"}
    early = client.post(f"{API}/{order_id}/actions/deliver_report", headers=lab)
    assert early.status_code == 409 and early.get_json()["current_status"] == "requested"
    assert client.post(f"{API}/{order_id}/actions/quote", json={"amount": "100", "lead_time_days": 3},
                       headers=provider).status_code == 404  # the pilot base is not this order's provider
    client.post(f"{API}/{order_id}/actions/quote", json={"amount": "3000", "lead_time_days": 10}, headers=lab)
    client.post(f"{API}/{order_id}/actions/accept_quote", headers=buyer)
    paid = client.post(f"{API}/{order_id}/actions/start_payment", headers=buyer).get_json()
    assert paid["payment"]["total"] == 315000 and paid["payment"]["pay_url"].endswith("/pay")
    payments.confirm_test_payment(market.identity("buyer"), paid["payment"]["id"])
    report = client.post(f"{API}/{order_id}/actions/deliver_report",
                         data={"summary": "全部合格", "report": (io.BytesIO(pdf_bytes()), "report.pdf")},
                         headers=lab, content_type="multipart/form-data")
    assert report.status_code == 200, report.get_json()
    document = report.get_json()["report"]
    assert client.get(f"{API}/{order_id}/documents/{document['id']}", headers=buyer).data.startswith(b"%PDF-")
    assert client.get(API, headers=lab).headers["X-Total-Count"] == "1"
