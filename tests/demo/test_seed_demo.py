"""``flask seed-demo`` creates a usable demo market and changes nothing when run again."""
from __future__ import annotations

from app.accounts.models import User
from app.demands.models import TechDemand
from app.listings.models import ListingStatus
from app.orgs.models import Organisation
from app.patents.models import Patent
from app.service_offers.models import ServiceOffer


def _counts(session) -> tuple:
    return tuple(session.query(model).count() for model in (Organisation, User, Patent, TechDemand, ServiceOffer))


def test_seed_demo_is_idempotent_and_publishes_labelled_demo_data(app, db_session, app_engine):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "password techbridge-demo" in first.output
    counts = _counts(db_session)
    assert counts == (6, 6, 300, 12, 5)
    assert db_session.query(Patent).filter(Patent.status != ListingStatus.approved).count() == 0
    assert db_session.query(Organisation).filter(Organisation.is_demo.is_(False)).count() == 0
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0 and "0 created" in again.output
    assert _counts(db_session) == counts
    assert app_engine.count("patents") == 300
