"""The sale transition table, generated from the machine: every status (and the situations within one that change
who may act: the notice period or bidding over, a bid placed) × every action × every actor, with the roles the
sale gives each organisation (buyer, interested, bidder, seller) — see ``tests/deals/table.py``."""
from __future__ import annotations

import pytest

from app.core.extensions import db
from app.core.uow import UnitOfWork
from app.sales.actions import MACHINE
from app.sales.models import OpenLicenceTaken, Sale, SaleBid, SaleParticipant
from app.sales.models import SaleStatus as S
from app.sales.service import sales_service
from tests.deals.table import check_every_cell
from tests.factories import make_listing
from tests.sales.conftest import act, end_now, put_up, register

ACTORS = ["buyer", "bidder", "third", "seller", "admin", "system", "outsider", "anonymous"]


def draft(market):
    """A sale as its creator's unit of work holds it before ``publish`` (never committed so in real use)."""
    patent = make_listing("patents", market.seller_org)
    sale = Sale(kind="listing", patent_id=patent.id, patent=patent, title=patent.title, terms={},
                seller_org_id=market.seller_org.id, price=100, increment=10, deposit=10)
    with UnitOfWork() as uow:
        sales_service.record_creation(market.identity("seller"), sale, {}, uow=uow)
    return sale


def bid(market, sale):
    act(market, "bidder", sale, "place_bid", {"amount": "500000.00"})


# scenario: (status, kind, steps); a step is (actor, action), ("register", actor) or ("end", column).
SCENARIOS = {
    "notice": (S.notice, "listing", [("third", "register_interest")]),
    "notice_over": (S.notice, "listing", [("third", "register_interest"), ("end", "notice_ends_at")]),
    "bidding": (S.bidding, "auction", [("register", "bidder")]),
    "bidding_with_bid": (S.bidding, "auction", [("register", "bidder"), ("bidder", "bid")]),
    "bidding_over": (S.bidding, "auction", [("register", "bidder"), ("bidder", "bid"), ("end", "ends_at")]),
    "licensing": (S.licensing, "open_licence", []),
    "sold": (S.sold, "listing", [("third", "register_interest"), ("end", "notice_ends_at"),
                                 ("system", "close_notice")]),
    "closed": (S.closed, "open_licence", [("seller", "close_licensing")]),
    "failed": (S.failed, "auction", [("register", "bidder"), ("end", "ends_at"), ("system", "close_auction")]),
    "withdrawn": (S.withdrawn, "auction", [("seller", "withdraw")]),
}


def drive(market, scenario):
    status, kind, steps = SCENARIOS[scenario]
    sale = put_up(market, kind)
    for first, second in steps:
        if first == "register":
            register(market, second, sale)
        elif first == "end":
            end_now(sale, second)
        elif second == "bid":
            bid(market, sale)
        else:
            act(market, first, sale, second)
    db.session.refresh(sale)
    assert sale.status == status
    return sale


def check(market, status, make, through_payments=None):
    check_every_cell(
        sales_service, status=status, make=make, actors=ACTORS,
        run=lambda actor, sale, action: act(market, actor, sale, action),
        role_of=lambda actor, sale: sales_service.role_of(market.identity(actor), sale),
        related=(SaleParticipant, SaleBid, OpenLicenceTaken), through_payments=through_payments,
    )


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_every_action_for_every_actor(market, scenario):
    # The deposit is confirmed the way money really arrives: a third organisation registers and pays.
    check(market, SCENARIOS[scenario][0], lambda: drive(market, scenario),
          through_payments={"deposit_confirmed": lambda sale: register(market, "third", sale)})


def test_every_action_for_every_actor_on_a_draft(market):
    check(market, S.draft, lambda: draft(market))


def test_every_action_leaves_some_status_and_every_open_status_has_a_way_out():
    for action in MACHINE.actions.values():
        assert action.status_from and action.roles, action.name
    leaving = {s for a in MACHINE.actions.values() for s in a.status_from}
    assert leaving == {S.draft, S.notice, S.bidding, S.licensing}
