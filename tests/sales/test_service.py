"""Sales through the service: each kind's happy path, bad input, and who may not act."""
from __future__ import annotations

from datetime import UTC, timedelta

import pytest

from app.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.core.extensions import db
from app.core.models import utcnow
from app.deals.models import DealStatus
from app.deals.service import deals_service
from app.payments import ledger
from app.payments import service as payments
from app.sales.actions import add_working_days
from app.sales.models import SaleKind, SaleStatus
from app.sales.service import licences_of_patent, sales_service
from tests.factories import make_listing
from tests.sales.conftest import act, end_now, put_up, register


def test_listing_with_one_interested_buyer_becomes_an_agreed_assignment_at_the_listed_price(market):
    sale = put_up(market, "listing")
    assert sale.status == SaleStatus.notice
    assert sale.notice_ends_at.weekday() < 5
    act(market, "buyer", sale, "register_interest")
    act(market, "third", sale, "raise_objection")
    assert [p.objection for p in sales_service.objections(market.identity("admin"))] == ["该专利权属存在争议"]
    with pytest.raises(Conflict):
        act(market, "system", sale, "close_notice")  # the notice period runs
    end_now(sale, "notice_ends_at")
    act(market, "system", sale, "close_notice")
    assert sale.status == SaleStatus.sold
    deal = deals_service.get(market.identity("buyer"), sale.deal_id)
    assert deal.status == DealStatus.agreed and deal.buyer_org_id == market.buyer.org_id
    assert deal.terms["mode"] == "assignment" and deal.terms["upfront_fee"] == "500000.00"
    assert deals_service.replay(deal) == "agreed"


def test_listing_with_several_interested_opens_an_auction_and_with_none_closes(market):
    sale = put_up(market, "listing")
    act(market, "buyer", sale, "register_interest")
    act(market, "bidder", sale, "register_interest")
    end_now(sale, "notice_ends_at")
    act(market, "system", sale, "close_notice")
    assert sale.status == SaleStatus.bidding and sale.kind == SaleKind.auction
    assert sale.reserve_price == sale.price and sale.ends_at is not None

    empty = put_up(market, "listing")
    end_now(empty, "notice_ends_at")
    act(market, "system", empty, "close_notice")
    assert empty.status == SaleStatus.closed and empty.deal_id is None


def test_auction_winner_gets_a_deal_with_the_deposit_credited_and_losers_are_refunded(market, app):
    sale = put_up(market, "auction")
    register(market, "buyer", sale)
    register(market, "bidder", sale)
    with pytest.raises(ValidationFailed) as low:
        act(market, "buyer", sale, "place_bid", {"amount": "400000.00"})
    assert "amount" in low.value.errors
    act(market, "buyer", sale, "place_bid", {"amount": "500000.00"})
    with pytest.raises(ValidationFailed):
        act(market, "bidder", sale, "place_bid", {"amount": "505000.00"})  # below current + increment
    act(market, "bidder", sale, "place_bid", {"amount": "510000.00"})
    act(market, "buyer", sale, "place_bid", {"amount": "700000.00"})
    with app.test_request_context():
        view = sales_service.view(market.identity("anonymous"), sale)
    assert [b["bidder"] for b in view.bids_public] == ["竞买人1", "竞买人2", "竞买人1"]
    assert view.reserve_met is True and view.minimum_bid == "710000.00"
    end_now(sale)
    assert sales_service.close_due() == [sale.id]
    db.session.refresh(sale)
    assert sale.status == SaleStatus.sold and sale.buyer_org_id == market.buyer.org_id
    deal = deals_service.get(market.identity("buyer"), sale.deal_id)
    assert deal.status == DealStatus.agreed
    assert deal.terms["upfront_fee"] == "650000.00" and deal.terms["milestones"][0]["amount"] == "50000.00"
    loser = payments.payment_of(sale.participants[1])
    winner = payments.payment_of(sale.participants[0])
    assert (loser.status.value, winner.status.value) == ("refunded", "released")
    assert ledger.escrow_held(loser.id) == 0 and ledger.escrow_held(winner.id) == 0
    assert payments.balances(org_id=market.seller_org.id)["seller_payable"] == 5_000_000
    assert ledger.unbalanced_transactions() == []


def test_auctioned_transfer_continues_to_contract_and_registration_export(market):
    sale = put_up(market, "auction", reserve_price=None)
    register(market, "buyer", sale)
    act(market, "buyer", sale, "place_bid", {"amount": "520000.00"})
    end_now(sale)
    act(market, "system", sale, "close_auction")
    deal_id = sale.deal_id
    for actor, action, data in [("buyer", "generate_contract", {}), ("buyer", "sign_contract", {"agree": True}),
                                ("seller", "sign_contract", {"agree": True}), ("admin", "approve_contract", {})]:
        deals_service.execute_action(market.identity(actor), deal_id, action, data)
    deal = deals_service.get(market.identity("buyer"), deal_id)
    assert deal.status == DealStatus.awaiting_payment
    assert deal.contract["category"] == "技术转让合同"
    assert deal.contract["total_amount"] == "520000.00"
    assert deal.contract["buyer"]["name"] == market.buyer.organisation.name
    assert deal.contract["seller"]["credit_code"] == "91110000600037341L"
    deals_service.execute_action(market.identity("buyer"), deal_id, "start_payment")
    payments.confirm_test_payment(market.identity("buyer"), payments.payment_of(deal).id)
    for actor, action in (("seller", "deliver"), ("buyer", "confirm_delivery")):
        deals_service.execute_action(market.identity(actor), deal_id, action, {})
    _, record = deals_service.registration(market.identity("seller"), deal_id)
    assert (record["contract_category"], record["contract_subtype"]) == ("技术转让合同", "专利权转让")
    assert record["amount"]["total"] == "520000.00" and record["amount"]["upfront_fee"] == "470000.00"
    assert record["buyer"]["name"] == market.buyer.organisation.name
    assert record["seller"]["name"] == market.seller_org.name
    assert ledger.unbalanced_transactions() == []


def test_auction_without_a_bid_at_the_reserve_fails_and_refunds_every_deposit(market):
    sale = put_up(market, "auction")
    register(market, "buyer", sale)
    register(market, "bidder", sale)
    act(market, "buyer", sale, "place_bid", {"amount": "550000.00"})  # reserve is 600000
    end_now(sale)
    act(market, "system", sale, "close_auction")
    assert sale.status == SaleStatus.failed and sale.deal_id is None
    for participant in sale.participants:
        assert payments.payment_of(participant).status.value == "refunded"
    assert ledger.unbalanced_transactions() == []


def test_a_bid_in_the_last_minutes_extends_the_end(market, app):
    sale = put_up(market, "auction")
    register(market, "buyer", sale)
    sale.ends_at = utcnow() + timedelta(minutes=2)
    db.session.commit()
    before = sale.ends_at
    act(market, "buyer", sale, "place_bid", {"amount": "500000.00"})
    assert sale.ends_at == before + timedelta(minutes=app.config.get("AUCTION_EXTENSION_MINUTES", 5))
    assert sale.bids[-1].extended_to == sale.ends_at


def test_only_bidders_with_a_held_deposit_bid_and_onlookers_cannot_act(market):
    sale = put_up(market, "auction")
    with pytest.raises(PermissionDenied):
        act(market, "buyer", sale, "place_bid")  # not registered
    act(market, "buyer", sale, "register_bidder")
    with pytest.raises(PermissionDenied):
        act(market, "buyer", sale, "place_bid")  # deposit not paid yet
    for onlooker in ("outsider", "anonymous"):
        with pytest.raises(NotFound):
            act(market, onlooker, sale, "register_bidder")
        assert sales_service.get(market.identity(onlooker), sale.id) == sale  # but may look
    with pytest.raises(PermissionDenied):
        act(market, "seller", sale, "register_bidder")


def test_open_licence_each_taker_gets_its_own_deal_straight_to_payment(market):
    sale = put_up(market, "open_licence")
    assert sale.status == SaleStatus.licensing
    act(market, "buyer", sale, "take_licence")
    act(market, "bidder", sale, "take_licence")
    assert licences_of_patent(sale.patent_id) == 2
    deal = deals_service.list(market.identity("buyer"))[0][0]
    assert deal.status == DealStatus.awaiting_payment
    assert deal.terms["mode"] == "non_exclusive_licence" and deal.contract["category"] == "技术许可合同"
    deals_service.execute_action(market.identity("buyer"), deal.id, "start_payment")
    payment = payments.payment_of(deal)
    payments.confirm_test_payment(market.identity("buyer"), payment.id)
    for actor, action in (("seller", "deliver"), ("buyer", "confirm_delivery")):
        deals_service.execute_action(market.identity(actor), deal.id, action, {})
    _, record = deals_service.registration(market.identity("buyer"), deal.id)
    assert record["contract_category"] == "技术许可合同" and record["amount"]["total"] == "500000.00"
    act(market, "seller", sale, "close_licensing")
    with pytest.raises(Conflict):
        act(market, "third", sale, "take_licence")


@pytest.mark.parametrize("data, field", [
    ({"kind": "auction", "price": "100.00", "increment": "1.00", "deposit": "10.00"}, "ends_at"),
    ({"kind": "listing", "price": "100.00"}, "increment"),
    ({"kind": "auction", "price": "-1", "increment": "1.00", "deposit": "10.00"}, "price"),
    ({"kind": "open_licence", "price": "100.00"}, "terms"),
    ({"kind": "barter", "price": "100.00"}, "kind"),
    ({"kind": "listing", "price": "100.00", "increment": "1.00", "deposit": "100.00"}, "deposit"),
    ({"kind": "auction", "price": "100.00", "increment": "1.00", "deposit": "10.00", "ends_at": "yesterday"},
     "ends_at"),
])
def test_bad_input_names_the_field_and_writes_nothing(market, data, field):
    with pytest.raises(ValidationFailed) as error:
        sales_service.create(market.identity("seller"), {"patent_id": market.patent.id, **data})
    assert field in error.value.errors
    assert sales_service.list(market.identity("admin"))[1] == 0


def test_past_end_and_second_sale_of_a_patent_are_refused(market):
    with pytest.raises(ValidationFailed) as past:
        put_up(market, "auction", ends_at=(utcnow() - timedelta(hours=1)).isoformat())
    assert "ends_at" in past.value.errors
    put_up(market, "listing", patent=market.patent)
    with pytest.raises(ValidationFailed) as twice:
        put_up(market, "open_licence", patent=market.patent)
    assert "patent_id" in twice.value.errors


def test_only_an_admin_of_the_owner_may_sell_a_published_patent(market):
    for actor in ("seller_member", "buyer", "admin", "anonymous"):
        with pytest.raises(PermissionDenied):
            put_up(market, "listing", patent=market.patent) if actor == "seller" else sales_service.create(
                market.identity(actor), {"kind": "listing", "patent_id": market.patent.id, "price": "1.00",
                                         "increment": "1.00", "deposit": "0.50"})
    draft = make_listing("patents", market.seller_org, status="draft")
    with pytest.raises(ValidationFailed):
        put_up(market, "listing", patent=draft)
    with pytest.raises(PermissionDenied):
        sales_service.objections(market.identity("seller"))


def test_withdraw_refunds_deposits_but_not_after_a_bid(market):
    sale = put_up(market, "auction")
    register(market, "buyer", sale)
    act(market, "seller", sale, "withdraw")
    assert sale.status == SaleStatus.withdrawn
    assert payments.payment_of(sale.participants[0]).status.value == "refunded"
    other = put_up(market, "auction")
    register(market, "buyer", other)
    act(market, "buyer", other, "place_bid", {"amount": "500000.00"})
    with pytest.raises(Conflict):
        act(market, "admin", other, "withdraw")


def test_working_days_skip_weekends():
    from datetime import datetime

    friday = datetime(2026, 12, 4, 9, tzinfo=UTC)
    assert add_working_days(friday, 1).weekday() == 0
    assert (add_working_days(friday, 20) - friday).days == 28


def test_terms_left_out_get_the_platform_defaults_and_reach_the_deal(market):
    sale = sales_service.create(market.identity("seller"), {"kind": "listing", "patent_id": market.patent.id,
                                                             "price": "1000.00", "increment": "10", "deposit": "100"})
    assert sale.terms["territory"] == "中国大陆" and sale.terms["field_of_use"] == "不限"
    act(market, "buyer", sale, "register_interest")
    end_now(sale, "notice_ends_at")
    act(market, "system", sale, "close_notice")
    assert deals_service.get(market.identity("seller"), sale.deal_id).terms["territory"] == "中国大陆"


def test_the_close_command_closes_what_has_ended(market, app):
    running, ended = put_up(market, "auction"), put_up(market, "listing")
    end_now(ended, "notice_ends_at")
    result = app.test_cli_runner().invoke(args=["sales", "close"])
    assert result.exit_code == 0 and f"closed 1 sale(s): {ended.id}" in result.output
    db.session.refresh(ended)
    db.session.refresh(running)
    assert (ended.status, running.status) == (SaleStatus.closed, SaleStatus.bidding)
