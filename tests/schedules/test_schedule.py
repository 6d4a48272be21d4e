"""A licence with no upfront fee, two instalments, one milestone and royalties with an annual minimum: every item
funded, released and distributed; a late royalty report and a shortfall; a reversal after release; the books
balance after every step."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from app.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.core.extensions import db
from app.core.identity import Identity
from app.core.models import utcnow
from app.core.uow import UnitOfWork
from app.deals.models import DealStatus
from app.payments import service as payments
from app.schedules import distribution
from app.schedules.models import DistributionStatement, ItemKind, ItemStatus
from app.schedules.plan import largest_remainder
from app.schedules.service import schedule_service
from tests.schedules.conftest import (
    SCHEDULE_TERMS,
    assert_books_balance,
    fund,
    item_act,
    items,
    pdf_upload,
    scheduled_deal,
)

RULE = {"note": "本校科技成果转化收益分配办法", "shares": [
    {"beneficiary": "发明人团队", "kind": "inventor", "percent": "70"},
    {"beneficiary": "学校", "kind": "school", "percent": "15"},
    {"beneficiary": "材料学院", "kind": "department", "percent": "15"},
]}


def statements_of(item) -> list[DistributionStatement]:
    return [s for s in distribution.statements(Identity.system(), item.seller_org_id) if s.item_id == item.id]


def net_released(item) -> int:
    payment = payments.payment_of(item)
    return payment.payout.amount


def report(market, item, sales: str):
    item_act(market, "buyer", item, "file_report", {"sales": sales, "evidence": pdf_upload("销售报表.pdf")})


def release_fixed(market, item):
    fund(market, item)
    assert_books_balance()
    db.session.refresh(item)
    assert item.status == ItemStatus.funded
    item_act(market, "buyer", item, "release")
    db.session.refresh(item)
    assert item.status == ItemStatus.released
    assert_books_balance()


def test_the_whole_schedule_is_funded_released_and_distributed(market):
    distribution.set_rule(market.identity("seller"), RULE)
    deal = scheduled_deal(market)
    assert [i.kind for i in items(deal)].count(ItemKind.royalty) == 4
    assert not items(deal, ItemKind.upfront)  # a royalty-bearing licence with no upfront fee
    first, second = items(deal, ItemKind.instalment)
    assert (first.amount, second.amount) == (10_000_000, 5_000_000)
    assert first.status == ItemStatus.awaiting_payment

    for instalment in (first, second):
        release_fixed(market, instalment)
        rows = statements_of(instalment)
        assert [r.beneficiary for r in rows] == ["发明人团队", "学校", "材料学院"]
        assert sum(r.amount for r in rows) == net_released(instalment)

    # The milestone: funded, delivered, rejected with reasons, delivered again, accepted and released.
    (milestone,) = items(deal, ItemKind.milestone)
    assert milestone.deliverable == "中试工艺包与批次记录"
    fund(market, milestone)
    item_act(market, "seller", milestone, "deliver", {"note": "工艺包已交付。", "document": pdf_upload("工艺包.pdf")})
    item_act(market, "buyer", milestone, "reject_delivery", {"reason": "第三批次能量密度未达标"})
    with pytest.raises(Conflict):
        item_act(market, "buyer", milestone, "accept_delivery")
    item_act(market, "seller", milestone, "deliver", {"note": "补充第三批次数据。"})
    item_act(market, "buyer", milestone, "accept_delivery")
    db.session.refresh(milestone)
    assert milestone.status == ItemStatus.released
    assert sum(r.amount for r in statements_of(milestone)) == net_released(milestone)
    assert_books_balance()

    # Year 1: two half-year reports, the second one late; royalties 5,000 + 3,000 < the 20,000 minimum.
    p1, p2, p3, p4 = items(deal, ItemKind.royalty)
    report(market, p1, "100000.00")
    db.session.refresh(p1)
    assert (p1.sales, p1.amount, p1.report_late) == (10_000_000, 500_000, False)
    item_act(market, "seller", p1, "accept_report")
    release_fixed(market, p1)
    p2.due_date = utcnow().date() - timedelta(days=3)  # the report is due before today
    db.session.commit()
    report(market, p2, "60000.00")
    db.session.refresh(p2)
    assert p2.report_late and p2.amount == 300_000
    item_act(market, "seller", p2, "dispute_report", {"reason": "销售额与发票不符"})
    report(market, p2, "60000.00")
    item_act(market, "seller", p2, "accept_report")
    release_fixed(market, p2)
    year1 = schedule_service.royalty_years(deal)[0]
    assert (year1["royalties"], year1["minimum"], year1["shortfall"], year1["late_reports"]) == \
           (800_000, 2_000_000, 1_200_000, 1)

    # Year 2: royalties above the minimum (no sales in one period settles it with nothing to pay).
    report(market, p3, "0")
    item_act(market, "seller", p3, "accept_report")
    db.session.refresh(p3)
    assert p3.status == ItemStatus.settled
    report(market, p4, "500000.00")
    item_act(market, "seller", p4, "accept_report")
    release_fixed(market, p4)

    # The yearly job closes both contract years: a shortfall item for year 1, a settled zero for year 2.
    later = utcnow() + timedelta(days=800)
    created = schedule_service.close_royalty_years(now=later)
    assert len(created) == 2 and schedule_service.close_royalty_years(now=later) == []
    short1, short2 = items(deal, ItemKind.shortfall)
    assert (short1.amount, short1.status) == (1_200_000, ItemStatus.awaiting_payment)
    assert (short2.amount, short2.status) == (0, ItemStatus.settled)
    db.session.refresh(deal)
    assert deal.status == DealStatus.performing  # the shortfall is still to be paid
    release_fixed(market, short1)
    db.session.refresh(deal)
    assert deal.status == DealStatus.completed
    released = [i for i in items(deal) if i.status == ItemStatus.released]
    assert len(released) == 7
    for item in released:
        assert sum(r.amount for r in statements_of(item)) == net_released(item)


def test_a_reversal_after_release_refunds_the_buyer_and_counters_the_statements(market):
    distribution.set_rule(market.identity("seller"), RULE)
    deal = scheduled_deal(market)
    first = items(deal, ItemKind.instalment)[0]
    release_fixed(market, first)
    payment = payments.payment_of(first)
    with pytest.raises(PermissionDenied):
        item_act(market, "buyer", first, "reverse", {"reason": "错误付款", "method": "manual", "reference": "X"})
    with pytest.raises(ValidationFailed) as bad:
        item_act(market, "admin", first, "reverse", {"reason": "争议裁决退款", "method": "manual"})
    assert "reference" in bad.value.errors
    item_act(market, "admin", first, "reverse", {"reason": "争议裁决退款", "method": "manual",
                                                 "reference": "BANK-2027-0001"})
    db.session.refresh(first)
    db.session.refresh(payment)
    assert first.status == ItemStatus.reversed and payment.status.value == "refunded"
    assert payment.payout.status.value == "reversed"
    books = payments.balances(payment_id=payment.id)
    assert books["platform_escrow"] == 0 and books["buyer_cash"] == 0 and books["platform_fee"] == 0
    assert books["seller_payable"] == 0
    assert sum(s.amount for s in statements_of(first)) == 0
    assert_books_balance()
    with pytest.raises(Conflict):
        item_act(market, "admin", first, "reverse", {"reason": "再次", "method": "manual", "reference": "X"})


def test_a_payment_event_delivered_twice_changes_the_item_once(market):
    deal = scheduled_deal(market)
    first = items(deal, ItemKind.instalment)[0]
    payment = fund(market, first)
    with UnitOfWork() as uow:  # the payments package reports the same payment again
        schedule_service.on_paid(first.id, payment, uow=uow)
    events = [e.action for e in schedule_service.events_of(first)]
    assert events.count("payment_confirmed") == 1
    assert payments.balances(payment_id=payment.id)["platform_escrow"] == payment.total
    assert_books_balance()


def test_wrong_party_wrong_status_and_outsiders(market):
    deal = scheduled_deal(market)
    first = items(deal, ItemKind.instalment)[0]
    royalty = items(deal, ItemKind.royalty)[0]
    with pytest.raises(NotFound):
        schedule_service.get(market.identity("outsider"), first.id)
    with pytest.raises(NotFound):
        schedule_service.schedule(market.identity("outsider"), deal.id)
    with pytest.raises(PermissionDenied):
        item_act(market, "seller", first, "start_payment")
    with pytest.raises(Conflict) as wrong:
        item_act(market, "buyer", first, "release")
    assert wrong.value.extra["current_status"] == "awaiting_payment"
    with pytest.raises(PermissionDenied):
        item_act(market, "seller", royalty, "file_report", {"sales": "1", "evidence": pdf_upload()})
    with pytest.raises(Conflict):
        item_act(market, "seller", first, "deliver", {"note": "不是里程碑"})
    with pytest.raises(ValidationFailed) as bad:
        item_act(market, "buyer", royalty, "file_report", {"sales": "-5"})
    assert set(bad.value.errors) == {"sales", "evidence"}
    assert [e.action for e in schedule_service.events_of(royalty)] == ["create", "open"]


@pytest.mark.parametrize("change, field", [
    ({"payment_plan": "upfront"}, "upfront_fee"),
    ({"royalty_period": None}, "royalty_period"),
    ({"instalments": [{"amount": "0", "due": "2027-01-01"}]}, "instalments"),
    ({"royalty_rate": None, "milestones": [], "instalments": []}, "upfront_fee"),
    ({"royalty_period": "monthly"}, "royalty_period"),
])
def test_bad_schedule_terms_name_the_field(market, change, field):
    from app.deals.schemas import OfferTermsSchema

    with pytest.raises(Exception) as bad:
        OfferTermsSchema().load({**SCHEDULE_TERMS, **change})
    assert field in bad.value.normalized_messages()


def test_distribution_rules_are_the_institutions_own(market):
    with pytest.raises(ValidationFailed) as bad:
        distribution.set_rule(market.identity("seller"), {"shares": [
            {"beneficiary": "发明人", "kind": "inventor", "percent": "70"},
            {"beneficiary": "学校", "kind": "school", "percent": "29"}]})
    assert "shares" in bad.value.errors
    with pytest.raises(PermissionDenied):
        distribution.set_rule(market.identity("buyer"), RULE)  # an enterprise
    with pytest.raises(PermissionDenied):
        distribution.rules(market.identity("outsider"), market.seller_org.id)
    with pytest.raises(ValidationFailed) as foreign:
        distribution.set_rule(market.identity("seller"), {**RULE, "patent_id": market.demand.id + 10_000})
    assert "patent_id" in foreign.value.errors
    distribution.set_rule(market.identity("seller"), RULE)
    patent_rule = distribution.set_rule(market.identity("seller"), {**RULE, "patent_id": market.patent.id})
    assert distribution.rule_for(market.seller_org.id, [market.patent.id]).id == patent_rule.id
    assert len(distribution.rules(market.identity("admin"), market.seller_org.id)) == 2


@pytest.mark.parametrize("total, percents", [
    (100, ["33.33", "33.33", "33.34"]), (1, ["70", "15", "15"]), (999_999, ["70", "15", "15"]),
    (-1001, ["50", "25", "25"]), (7, ["14.29", "14.29", "14.28", "14.28", "14.28", "14.29", "14.29"]),
])
def test_largest_remainder_shares_sum_exactly(total, percents):
    parts = largest_remainder(total, [Decimal(p) for p in percents])
    assert sum(parts) == total
    exact = [Decimal(total) * Decimal(p) / 100 for p in percents]
    assert all(abs(part - e) < 1 for part, e in zip(parts, exact, strict=False))


def test_reminders_before_due_dates_and_overdue_flags_go_out_once(market):
    from app.notifications.models import Notification

    deal = scheduled_deal(market)
    first, second = items(deal, ItemKind.instalment)
    first.due_date = utcnow().date() + timedelta(days=3)
    second.due_date = utcnow().date() - timedelta(days=1)
    db.session.commit()
    counts = schedule_service.remind()
    assert counts == {"reminded": 1, "overdue": 1}
    assert schedule_service.remind() == {"reminded": 0, "overdue": 0}  # the daily job runs again: nothing twice
    kinds = {(n.user_id, n.kind) for n in db.session.query(Notification).all()}
    assert (market.admin.id, "schedule_items.overdue") in kinds
    assert (market.buyer.id, "schedule_items.overdue") in kinds and (market.seller.id, "schedule_items.due_soon") in kinds
    assert (market.outsider.id, "schedule_items.overdue") not in kinds
    assert schedule_service.list_items(market.identity("admin"), overdue_only=True)[1] == 1
    assert schedule_service.list_items(market.identity("outsider"))[1] == 0


def test_due_dates_go_by_the_beijing_calendar(market):
    """At 01:00 Beijing time (17:00 UTC the day before) an item due "yesterday" in Beijing is overdue, and one due
    in seven Beijing days is due soon, although the UTC date still says today and eight days."""
    deal = scheduled_deal(market)
    first, second = items(deal, ItemKind.instalment)
    first.due_date, second.due_date = date(2026, 12, 1), date(2026, 12, 9)
    db.session.commit()
    counts = schedule_service.remind(datetime(2026, 12, 1, 17, 0, tzinfo=UTC))
    assert counts == {"reminded": 1, "overdue": 1}


def test_the_registration_export_lists_the_schedule(market):
    from app.deals.registration import registration_record

    deal = scheduled_deal(market)
    record = registration_record(deal)
    rows = [row["item"] for row in record["payment_schedule"]]
    assert rows[:2] == ["第1期分期款", "第2期分期款"]  # no upfront fee row: there is none
    assert "验收标准：三批次能量密度≥300Wh/kg" in rows[2] and "年度最低提成20000.00元" in rows[3]
    assert record["amount"]["total"] == "230000.00"


def test_the_daily_command(app, market):
    deal = scheduled_deal(market)
    first = items(deal, ItemKind.instalment)[0]
    first.due_date = utcnow().date() - timedelta(days=1)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["schedules", "daily"])
    assert result.exit_code == 0, result.output
    assert "0 reminders, 1 overdue notices, 0 shortfall items created" in result.output
