"""Service-order fixtures: the deal tests' market, orders driven to any status through the real actions, and a
replay check of every order's history after each test."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.core.extensions import db
from app.payments import service as payments
from app.service_orders.models import OrderStatus, ServiceOrder
from app.service_orders.service import service_orders_service
from tests.deals.conftest import Market, build_market, make_stale, pdf_upload


@pytest.fixture(autouse=True)
def quiet_index(app, monkeypatch):
    monkeypatch.setitem(app.config, "SEARCH_DRAIN_AFTER_COMMIT", False)


@pytest.fixture(autouse=True)
def every_order_replays(db_session):
    """After each test: every order's events replay, through the machine, to its stored status."""
    yield
    db.session.rollback()
    for order in db.session.scalars(select(ServiceOrder)):
        assert service_orders_service.replay(order) == order.status.value, f"order {order.id} does not replay"


@pytest.fixture
def market(db_session) -> Market:
    return build_market()


# In service orders the buyer is the customer (the market's buyer) and the seller the pilot base.
PEOPLE = {"buyer": "buyer", "seller": "pilot_user", "admin": "admin", "outsider": "outsider"}


def identity(market: Market, actor: str):
    return market.identity(PEOPLE.get(actor, actor))


def sample(action: str) -> dict:
    reason = {"reason": "双方协商一致"}
    return {
        "quote": {"amount": "58000.00", "lead_time_days": 30, "note": "含三批次放大试验"},
        "deliver_report": {"summary": "三批次均达到指标。", "report": pdf_upload("中试报告.pdf")},
        "decline": reason, "decline_quote": reason, "cancel": reason, "dispute": reason, "resolve_refund": reason,
        "resolve_release": reason, "resolve_resume": reason,
    }.get(action, {})


def order(market: Market) -> ServiceOrder:
    return service_orders_service.create(market.identity("buyer"), {
        "offer_id": market.pilot_offer.id, "request_text": "需要对高镍正极材料进行50公斤级中试放大。"})


def act(market: Market, actor: str, obj, action: str, data: dict | None = None):
    return service_orders_service.execute_action(identity(market, actor), obj.id, action,
                                                 sample(action) if data is None else data)


def pay(market: Market, obj, card: str = "4242424242424242"):
    act(market, "buyer", obj, "start_payment")
    return payments.confirm_test_payment(market.identity("buyer"), payments.payment_of(obj).id, card_number=card)


QUOTED = [("seller", "quote")]
AWAITING = QUOTED + [("buyer", "accept_quote")]
PATHS = {
    OrderStatus.requested: [],
    OrderStatus.quoted: QUOTED,
    OrderStatus.awaiting_payment: AWAITING,
    OrderStatus.in_progress: AWAITING + [("buyer", "pay")],
    OrderStatus.report_delivered: AWAITING + [("buyer", "pay"), ("seller", "deliver_report")],
    OrderStatus.completed: AWAITING + [("buyer", "pay"), ("seller", "deliver_report"), ("buyer", "confirm_report")],
    OrderStatus.disputed: AWAITING + [("buyer", "pay"), ("buyer", "dispute")],
    OrderStatus.declined: [("seller", "decline")],
    OrderStatus.cancelled: [("buyer", "cancel")],
    OrderStatus.expired: [("system", "expire")],
}


def drive(market: Market, status: OrderStatus) -> ServiceOrder:
    """A new order taken to ``status`` by real actions."""
    obj = order(market)
    for actor, action in PATHS[status]:
        if action == "pay":
            pay(market, obj)
        else:
            if action == "expire":
                make_stale(obj)
            act(market, actor, obj, action)
    db.session.refresh(obj)
    assert obj.status == status
    return obj
