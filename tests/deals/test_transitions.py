"""The deal transition table, generated from the machine: every status (and a few situations within one status,
such as an offer on the table or one signature given) × every action × every actor (see ``tests/deals/table.py``).
"""
from __future__ import annotations

import pytest

from app.deals.actions import MACHINE
from app.deals.models import DealMessage, DealOffer, DealStatus, DealTest
from app.deals.service import deals_service
from tests.deals.conftest import SCENARIOS, act, drive, pay
from tests.deals.table import check_every_cell


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_every_action_for_every_actor(market, scenario):
    check_every_cell(
        deals_service, status=SCENARIOS[scenario][0], make=lambda: drive(market, scenario),
        run=lambda actor, deal, action: act(market, actor, deal, action),
        related=(DealOffer, DealMessage, DealTest),
        # The system's payment actions run the way money really arrives: through the payments package.
        through_payments={"payment_confirmed": lambda deal: pay(market, deal),
                          "payment_failed": lambda deal: pay(market, deal, card="4000000000000341")},
    )


def test_every_action_leaves_some_status_and_every_open_status_has_a_way_out():
    for action in MACHINE.actions.values():
        assert action.status_from and action.roles, action.name
    leaving = {s for a in MACHINE.actions.values() for s in a.status_from}
    assert leaving == {s for s in DealStatus if s.value not in ("completed", "declined", "cancelled", "expired")}
