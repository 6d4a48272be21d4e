"""Every released payment to an institution is distributed — an ordinary deal's upfront fee too, by the patent's
own rule before the default — a reversal counters it, and the finance office's exports (CSV, XLSX) carry the
amounts as numbers in yuan, dates in China time, headers in the reader's language."""
from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook

from app.core.formatting import to_display_zone
from app.core.identity import Identity
from app.deals.models import DealStatus
from app.payments import ledger, reversals
from app.payments import service as payments
from app.schedules import distribution
from tests.deals.conftest import drive, open_deal
from tests.deals.test_pages import login
from tests.factories import make_listing
from tests.schedules.test_schedule import RULE

PATENT_RULE = [{"beneficiary": "发明人团队", "kind": "inventor", "percent": "60"},
               {"beneficiary": "学校", "kind": "school", "percent": "40"}]


def _deal_paid_through(market):
    """An ordinary licence (no payment schedule) of a patent with its own rule, paid and completed."""
    distribution.set_rule(market.identity("seller"), RULE)
    patent = make_listing("patents", market.seller_org)
    rule = distribution.set_rule(market.identity("seller"), {"patent_id": patent.id, "shares": PATENT_RULE})
    return drive(market, DealStatus.completed, deal=open_deal(market, patent)), rule


def test_an_ordinary_deals_upfront_release_is_distributed_by_the_patents_rule(market):
    deal, rule = _deal_paid_through(market)
    payment = payments.payment_of(deal)
    rows = distribution.statements(Identity.system(), market.seller_org.id)
    # Upfront 800,000.00 yuan = 80,000,000 fen owed to the university (the fee is the buyer's, on top):
    # inventors 60% = 48,000,000 fen, school 40% = 32,000,000 fen.
    assert [(s.beneficiary, s.amount) for s in rows] == [("发明人团队", 48_000_000), ("学校", 32_000_000)]
    assert payment.payout.amount == 80_000_000
    assert all(s.deal_id == deal.id and s.item_id is None and s.rule_id == rule.id and s.payment_id == payment.id
               and s.entry == "release" and s.title == deal.title for s in rows)
    assert ledger.unbalanced_transactions() == []

    reversals.reverse_release(market.identity("admin"), deal, method="manual", reason="争议裁定退款",
                              reference="BANK-20270101-1")
    rows = distribution.statements(Identity.system(), market.seller_org.id)
    assert [(s.entry, s.amount) for s in rows[2:]] == [("reversal", -48_000_000), ("reversal", -32_000_000)]
    assert sum(s.amount for s in rows) == 0
    assert ledger.unbalanced_transactions() == []


def test_no_rule_no_statements(market):
    drive(market, DealStatus.completed)
    assert distribution.statements(Identity.system(), market.seller_org.id) == []


def test_the_finance_offices_xlsx_and_csv(client, market):
    deal, _rule = _deal_paid_through(market)
    statement = distribution.statements(Identity.system(), market.seller_org.id)[0]
    login(client, market.seller)
    response = client.get("/distribution/statements.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = next(i for i, row in enumerate(rows) if "受益人" in row)
    assert rows[header][-1] == "金额（元）" and any("北京时间" in str(row[0]) for row in rows[:header])
    body = rows[header + 1:]
    # Hand-computed: 480,000.00 and 320,000.00 yuan, numbers (not text) formatted as 元 with separators.
    assert [(row[6], row[7], row[-2], row[-1]) for row in body] == [
        ("发明人团队", "发明人", Decimal("60"), Decimal("480000")), ("学校", "学校", Decimal("40"), Decimal("320000"))]
    amount_cell = sheet.cell(row=header + 2, column=len(rows[header]))
    assert amount_cell.number_format == '#,##0.00"元"'
    day = sheet.cell(row=header + 2, column=2).value
    assert day.date() == to_display_zone(statement.created_at).date() and rows[header + 1][2] == deal.id
    assert rows[header + 1][5] == "发放"
    csv = client.get("/distribution/statements.csv").get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert csv[0].split(",")[-1] == "金额（元）" and csv[1].endswith(",480000.00")
    assert isinstance(date.fromisoformat(csv[1].split(",")[1]), date)
    login(client, market.outsider)
    assert client.get(f"/distribution/statements.xlsx?org_id={market.seller_org.id}").status_code == 403
    assert client.get("/distribution/statements.pdf").status_code == 404
