"""Fixtures of the payments tests: localstripe, recorded Connect responses, a dummy payable and its parties."""
from __future__ import annotations

import itertools

import pytest

from app.core.identity import Identity
from tests.factories import identity_of
from tests.payments.fixtures import DummyPayable

_payable_ids = itertools.count(1000)


@pytest.fixture
def payable(db_session, payable_kind, buyer, seller, admin):
    """Something the enterprise (buyer) pays the university (seller) for.

    The parties are committed (to the test's outer transaction): a service call that fails rolls back its
    own unit of work, which must not take the test's organisations and users with it.
    """
    db_session.commit()
    return DummyPayable(id=next(_payable_ids), buyer_org_id=buyer.org_id, seller_org_id=seller.org_id)


@pytest.fixture
def buyer(buyer_user) -> Identity:
    return identity_of(buyer_user)


@pytest.fixture
def seller(tto_user) -> Identity:
    return identity_of(tto_user)


@pytest.fixture
def admin(admin_user) -> Identity:
    return identity_of(admin_user)


@pytest.fixture
def test_provider(app, monkeypatch):
    """The embedded default: no Stripe key, so payments use the test provider."""
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", None)
    monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_SECRET", None)
