"""Schedule test fixtures: the deals' market, a licence paid through a payment schedule, and helpers that fund,
release and check the books after every step."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.core.extensions import db
from app.deals.models import DealStatus
from app.payments import ledger
from app.payments import service as payments
from app.schedules.models import ItemKind, ScheduleItem
from app.schedules.service import schedule_service
from tests.deals import conftest as deals
from tests.deals.conftest import act, open_deal, pdf_upload  # noqa: F401 - pdf_upload is the tests' helper too

# The deals' fixtures serve the schedules' tests too (the market, a quiet index, every deal replaying).
market, quiet_index, every_deal_replays = deals.market, deals.quiet_index, deals.every_deal_replays

# A royalty-bearing exclusive licence with no upfront fee: two instalments, one milestone, half-yearly royalty
# reports at 5% with a minimum of 20,000 CNY per contract year, over two years.
SCHEDULE_TERMS = {
    "mode": "exclusive_licence", "territory": "中国大陆", "field_of_use": "动力电池正极材料", "term_months": 24,
    "upfront_fee": "0", "royalty_rate": "5", "payment_plan": "schedule", "royalty_period": "half_year",
    "royalty_minimum_annual": "20000.00",
    "instalments": [{"amount": "100000.00", "due": "2027-03-31"}, {"amount": "50000.00", "due": "2027-09-30"}],
    "milestones": [{"title": "中试工艺包交付", "amount": "80000.00", "due": "2027-06-30",
                    "deliverable": "中试工艺包与批次记录", "acceptance_criterion": "三批次能量密度≥300Wh/kg"}],
}


@pytest.fixture(autouse=True)
def every_item_replays(db_session):
    """After each test: every schedule item's events replay to its stored status."""
    yield
    db.session.rollback()
    for item in db.session.scalars(select(ScheduleItem)):
        assert schedule_service.replay(item) == item.status.value, f"item {item.id} does not replay"


def scheduled_deal(market, terms: dict | None = None):
    """A deal on ``terms`` (the schedule licence by default) driven to an approved contract."""
    deal = open_deal(market)
    act(market, "seller", deal, "accept")
    act(market, "buyer", deal, "make_offer", terms or SCHEDULE_TERMS)
    act(market, "seller", deal, "accept_offer")
    act(market, "buyer", deal, "generate_contract")
    act(market, "buyer", deal, "sign_contract")
    act(market, "seller", deal, "sign_contract")
    act(market, "admin", deal, "approve_contract")
    db.session.refresh(deal)
    assert deal.status == DealStatus.performing
    return deal


def item_act(market, actor: str, item, action: str, data: dict | None = None):
    """Run ``action`` on a schedule item as ``actor``."""
    return schedule_service.execute_action(market.identity(actor), item.id, action, data or {})


def fund(market, item, card: str = "4242424242424242"):
    """The buyer funds the item with the embedded test provider (the money is then held)."""
    item_act(market, "buyer", item, "start_payment")
    payment = payments.payment_of(item)
    return payments.confirm_test_payment(market.identity("buyer"), payment.id, card_number=card)


def items(deal, kind: ItemKind | None = None) -> list[ScheduleItem]:
    rows = schedule_service.items_of_deal(deal)
    return [i for i in rows if kind is None or i.kind == kind]


def assert_books_balance() -> None:
    """Every ledger transaction sums to zero (so all of them together do too)."""
    assert ledger.unbalanced_transactions() == []
    assert sum(ledger.balances().values()) == 0
