"""The dashboard figures against a market whose true numbers are worked out by hand (tests/analytics/market.py)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.analytics import market, org
from app.analytics.filters import Filters
from app.core.errors import NotFound, PermissionDenied
from app.core.identity import Identity
from tests.analytics.market import build_market
from tests.factories import UserFactory, identity_of

YEAR = Filters(start=date(2025, 1, 1), end=date(2025, 12, 31))


@pytest.fixture
def world(db_session):
    return build_market()


@pytest.fixture
def figures(world):
    return market.market_figures(Identity.system(), YEAR)


def test_funnel_counts_conversions_and_median_days(figures):
    # Views 100+50+30+20 (+0+0); deals opened in 2025: D1–D4; NDA or beyond: D1, D3 and D2 (offers without an
    # NDA); offers: D1–D3; contracts: D1–D3; completed: D1, D3. Medians: NDA 2 and 2 days (D1, D3 signed one);
    # offers 3 (after NDA), 4 (after inquiry), 4 → 4; contracts 14, 20, 24 → 20; completed 10 and 10 → 10.
    steps = {s["key"]: s for s in figures["funnel"]}
    assert [s["count"] for s in figures["funnel"]] == [200, 4, 3, 3, 3, 2]
    assert [s["conversion"] for s in figures["funnel"]] == [None, 2.0, 75.0, 100.0, 100.0, 66.7]
    assert {k: s["median_days"] for k, s in steps.items()} == {
        "views": None, "inquiries": None, "nda": 2.0, "offers": 4.0, "contracts": 20.0, "completed": 10.0}


def test_volume_per_month_region_type_industry_and_ipc(figures):
    volume = figures["volume"]
    money = Decimal
    # D5 was approved at 20:00 UTC on 31 January, 1 February in China: a February contract.
    assert {m: (v["count"], v["amount"], v["paid"]) for m, v in volume["month"].items()} == {
        "2025-02": (1, money("30000.00"), 0), "2025-03": (1, money("100000.00"), money("103000.00")),
        "2025-04": (1, money("50000.00"), 0), "2025-05": (1, money("20000.00"), 0),
        "2025-06": (0, 0, money("20000.00")),  # 20,600 paid, 600 refunded
        "2025-07": (1, money("8000.00"), money("8240.00")), "2025-08": (1, money("2000.00"), 0),
        "2025-09": (1, money("3000.00"), 0)}
    assert {t: (v["count"], v["amount"], v["paid"]) for t, v in volume["contract_type"].items()} == {
        "development": (2, money("80000.00"), 0), "licence": (1, money("20000.00"), money("20000.00")),
        "service": (3, money("13000.00"), money("8240.00")), "transfer": (1, money("100000.00"), money("103000.00"))}
    assert {r: (v["count"], v["amount"]) for r, v in volume["region"].items()} == {
        "上海": (1, money("20000.00")), "北京": (3, money("180000.00")), "江苏": (3, money("13000.00"))}
    assert {i: (v["count"], v["amount"]) for i, v in volume["industry"].items()} == {
        "新能源": (2, money("120000.00")), "生物医药": (2, money("80000.00"))}
    assert {s: v["count"] for s, v in volume["ipc_section"].items()} == {"A": 2, "H": 2}
    assert {m: v["count"] for m, v in volume["tx_mode"].items()} == {"negotiated": 7}


def test_commissioned_rd_and_service_orders(figures):
    assert figures["development"] == {"count": 2, "amount": Decimal("80000.00")}
    assert figures["service_orders"] == {
        "pilot": {"count": 1, "revenue": Decimal("8000.00"), "turnaround_days": 10.0},
        "inspection": {"count": 2, "revenue": Decimal("5000.00"), "turnaround_days": 4.0}}  # 3 and 5 days


def test_conversion_by_owner_matcher_and_organisations(figures):
    # Listed by the end of 2025: university P1, P2 (P1 completed); institute P3 (completed), P4; enterprise 1.
    assert [(r["kind"], r["listed"], r["converted"], r["rate"], r["research"]) for r in figures["conversion"]] == [
        ("university", 2, 1, 50.0, 13.5), ("institute", 2, 1, 50.0, 28.2), ("enterprise", 1, 0, 0.0, 67.5)]
    # Matches computed in 2025: 3; deals opened from one: D1, D4; completed: D1.
    assert figures["matcher"] == {"matches": 3, "inquiries": 2, "completed": 1, "inquiry_rate": 66.7,
                                  "deal_rate": 50.0}
    # Active: the university, the institute and the buyer (deals), the provider (orders); the patent-owning
    # enterprise is unverified; incubated by the end of 2025: the buyer (March 2025) and the provider (2024).
    assert figures["organisations"] == {"active": 4, "verified": 4, "incubated": 2, "incubated_new": 1}


def test_the_region_filter_narrows_to_the_sellers_region(world):
    figures = market.market_figures(Identity.system(), Filters(YEAR.start, YEAR.end, region="北京"))
    assert [s["count"] for s in figures["funnel"]] == [150, 3, 2, 2, 2, 1]
    assert figures["volume"]["region"] == {"北京": {"count": 3, "amount": Decimal("180000.00"),
                                                    "paid": Decimal("103000.00")}}
    assert figures["organisations"]["active"] == 1


def test_an_organisation_sees_its_own_dashboard(world):
    user = UserFactory(organisation=world["uni"])
    figures = org.org_figures(identity_of(user), world["uni"].id, YEAR)
    assert figures["listings"]["patents"] == {"count": 3, "views": 150}
    assert figures["deals"]["received"] == 3 and figures["deals"]["sent"] == 0
    assert figures["deals"]["by_status"] == {"inquiry": 1, "awaiting_payment": 1, "completed": 1}
    # Released in March: 100,000; expected: D2 awaiting payment 50,000 + D5 paid, not released, 30,000 + D6 999.
    assert figures["income"]["received"] == {"2025-03": Decimal("100000.00")}
    assert figures["income"]["expected"] == Decimal("80999.00")
    assert figures["royalty_reports_due"] == []


def test_forbidden_figures(world):
    member = identity_of(UserFactory(organisation=world["buyer"]))
    with pytest.raises(PermissionDenied):
        market.market_figures(member, YEAR)
    with pytest.raises(PermissionDenied):
        org.org_figures(member, world["uni"].id, YEAR)
    with pytest.raises(PermissionDenied):
        org.org_figures(Identity.anonymous(), world["uni"].id, YEAR)
    with pytest.raises(NotFound):
        org.org_figures(Identity.system(), 10**9, YEAR)


def test_filter_defaults(app):
    from app.analytics.filters import FilterSchema

    with app.test_request_context():
        default = Filters.default(date(2026, 12, 1))
        assert (default.start, default.end) == (date(2026, 1, 1), date(2026, 12, 1))  # twelve months, this one too
        alone = FilterSchema().load({"start": "2025-06-01", "region": " "})
        assert alone.end == Filters.default().end and alone.region is None
        ending = FilterSchema().load({"end": "2025-06-30"})
        assert ending.start == date(2024, 7, 1)
