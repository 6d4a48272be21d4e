"""The summary tables (app/analytics/facts.py) as the flushes keep them: equal to a rebuild from the source rows,
following later changes, and an organisation's active day recorded once however many transactions race on it."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from app.analytics import facts
from app.core.extensions import db
from app.deals.models import Deal, DealStatus
from app.orgs.models import Organisation, OrgKind, VerificationStatus
from app.service_orders.models import ServiceOrder
from tests.analytics.market import at, build_market
from tests.concurrency import postgres_only, run_at_once

SUMMARIES = (facts.DealFigures, facts.PaidDaily, facts.ServiceOrderFigures, facts.OrgActivity)


def _rows(model) -> list[tuple]:
    columns = model.__table__.columns
    return sorted(tuple(row) for row in db.session.execute(select(*columns)))


def _activity(org) -> list[date]:
    return list(db.session.scalars(select(facts.OrgActivity.day).where(facts.OrgActivity.org_id == org.id)
                                   .order_by(facts.OrgActivity.day)))


def test_the_flushes_leave_what_a_rebuild_computes(db_session):
    build_market()
    kept = {model: _rows(model) for model in SUMMARIES}
    assert all(kept.values())
    counts = facts.rebuild(db.session)
    assert {model: _rows(model) for model in SUMMARIES} == kept
    assert counts["service_order_figures"] == 4 and counts["org_activity"] == len(kept[facts.OrgActivity])


def test_an_orders_figures_follow_it(db_session):
    build_market()
    order = db.session.scalars(select(ServiceOrder).order_by(ServiceOrder.id)).first()  # the pilot, 10 days
    figures = db.session.get(facts.ServiceOrderFigures, order.id)
    assert (figures.kind, figures.completed_month, figures.revenue, figures.turnaround_s) == (
        "pilot", "2025-07", Decimal("8000.00"), 10 * 86400)
    order.completed_at = None
    db.session.flush()
    db.session.expire_all()
    assert db.session.get(facts.ServiceOrderFigures, order.id) is None  # not completed: not counted
    order.completed_at = at("2025-07-31", hour=18)  # 1 August in China
    db.session.flush()
    db.session.expire_all()
    assert db.session.get(facts.ServiceOrderFigures, order.id).completed_month == "2025-08"


def test_an_active_day_is_recorded_once_and_outlives_the_deal(db_session):
    world = build_market()
    seller, buyer = world["uni"], world["buyer"]
    before = _activity(buyer)
    deals = [Deal(title="同日询价", seller_org_id=seller.id, buyer_org_id=buyer.id, status=DealStatus.inquiry,
                  terms={}, created_at=at("2025-10-08", hour=hour)) for hour in (1, 15)]  # 09:00 and 23:00 China
    db.session.add_all(deals)
    db.session.flush()
    assert _activity(buyer) == sorted({*before, date(2025, 10, 8)})
    db.session.delete(deals[0])
    db.session.flush()
    assert date(2025, 10, 8) in _activity(buyer)  # the organisation was active that day all the same


def test_moving_a_deal_records_its_new_day(db_session):
    world = build_market()
    deal = world["d4"]
    deal.created_at = at("2025-11-30", hour=18)  # 1 December in China
    db.session.flush()
    assert date(2025, 12, 1) in _activity(world["buyer"]) and date(2025, 12, 1) in _activity(world["uni"])


@postgres_only
def test_racing_transactions_record_one_active_day(app, committed_rows):
    with app.app_context():
        seller = Organisation(name="并发大学", kind=OrgKind.university, verification_status=VerificationStatus.verified)
        buyer = Organisation(name="并发企业", kind=OrgKind.enterprise, verification_status=VerificationStatus.verified)
        db.session.add_all([seller, buyer])
        db.session.commit()
        ids = (seller.id, buyer.id)

    def open_deal():
        db.session.add(Deal(title="并发询价", seller_org_id=ids[0], buyer_org_id=ids[1], status=DealStatus.inquiry,
                            terms={}, created_at=at("2025-10-08")))
        db.session.commit()

    assert run_at_once(app, [open_deal] * 8) == ["ok"] * 8
    with app.app_context():
        rows = db.session.execute(select(facts.OrgActivity.org_id, facts.OrgActivity.day)).all()
        assert sorted(rows) == sorted((org_id, date(2025, 10, 8)) for org_id in ids)
        assert db.session.scalar(select(func.count()).select_from(facts.DealFigures)) == 8
