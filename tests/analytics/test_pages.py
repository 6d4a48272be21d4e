"""The dashboard pages over HTTP: who may open them, filters (bad input is a message next to the field),
CSV downloads, the incubation mark (audited) and the review report files."""
from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.analytics.models import OrgIncubation
from app.core.audit import AuditEntry
from app.core.extensions import db
from tests.analytics.market import build_market
from tests.factories import UserFactory

YEAR = "start=2025-01-01&end=2025-12-31"


@pytest.fixture
def world(db_session):
    return build_market()


def test_the_admin_dashboard_draws_every_chart_with_its_table(login, admin_user, world):
    page = login(admin_user).get(f"/admin/dashboard?{YEAR}").get_data(as_text=True)
    for key in ("funnel", "volume-month", "volume-region", "volume-type", "volume-mode", "volume-industry",
                "volume-ipc", "rd-services", "conversion", "matcher", "organisations"):
        assert f'id="chart-{key}"' in page and f"/admin/dashboard/{key}.csv?" in page
    assert "vendor/chartjs/chart.umd.min.js" in page and "cdn" not in page.lower()
    assert "10 万元" in page  # D1's 100,000 yuan contract, in 万元
    assert "各状态信息数量" in page  # the listing counts stay


def test_blank_filter_fields_mean_the_last_twelve_months(login, admin_user, world):
    assert login(admin_user).get("/admin/dashboard?start=&end=&region=").status_code == 200


def test_a_chart_downloads_as_csv(login, admin_user, world):
    response = login(admin_user).get(f"/admin/dashboard/volume-type.csv?{YEAR}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    lines = response.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0] == "合同类型,合同数,合同金额,实付金额"
    assert lines[1:] == ["技术开发,2,80000.00,0.00", "技术转让,1,100000.00,103000.00", "技术许可,1,20000.00,20000.00",
                         "技术服务,3,13000.00,8240.00"]


@pytest.mark.parametrize("query, field", [
    ("start=2025-13-01", "start"), ("start=2025-06-01&end=2025-01-01", "start"),
    ("start=2019-01-01&end=2025-01-01", "end"), ("region=" + "x" * 65, "region"), ("end=1999-01-01", "end"),
])
def test_bad_filters_are_named_next_to_the_field(login, admin_user, query, field):
    client = login(admin_user)
    response = client.get(f"/admin/dashboard?{query}")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'class="field has-error"' in page and f'name="{field}"' in page.split("has-error")[1][:400]
    assert client.get(f"/admin/dashboard/funnel.csv?{query}").status_code == 422


def test_only_platform_admins_see_the_market(login, world, tto_user):
    client = login(tto_user)
    assert client.get("/admin/dashboard").status_code == 403
    assert client.get("/admin/dashboard/funnel.csv").status_code == 403
    assert client.get("/admin/reports").status_code == 403
    assert client.get("/admin/reports/review.pdf?year=2025").status_code == 403
    assert login(None).get("/admin/dashboard").status_code in (302, 401)


def test_an_organisation_sees_its_own_dashboard_and_no_other(login, world):
    member = UserFactory(organisation=world["uni"])
    client = login(member)
    response = client.get("/my/dashboard?" + YEAR)
    assert response.status_code == 302 and f"/orgs/{world['uni'].id}/dashboard" in response.headers["Location"]
    page = client.get(f"/orgs/{world['uni'].id}/dashboard?{YEAR}").get_data(as_text=True)
    assert 'id="chart-income"' in page and "10 万元" in page and 'id="royalty-reports-due"' in page
    assert 'id="incubation"' not in page  # only platform admins set the mark
    assert ">awaiting_payment<" not in page and ">completed<" not in page  # statuses as labels
    csv = client.get(f"/orgs/{world['uni'].id}/dashboard/income.csv?{YEAR}").get_data(as_text=True)
    assert "2025-03,100000.00" in csv
    assert client.get(f"/orgs/{world['inst'].id}/dashboard").status_code == 403
    assert client.get(f"/orgs/{world['inst'].id}/dashboard/income.csv").status_code == 403
    assert client.get("/orgs/999999999/dashboard").status_code == 404
    assert client.get(f"/orgs/{world['uni'].id}/dashboard/nothing.csv").status_code == 404


def test_admins_mark_an_organisation_incubated_audited(login, admin_user, world):
    client = login(admin_user)
    org_id = world["inst"].id
    response = client.post(f"/admin/orgs/{org_id}/incubation", data={"incubated_on": "2025-04-01", "note": "入驻"})
    assert response.status_code == 302
    assert db.session.get(OrgIncubation, org_id).incubated_on.isoformat() == "2025-04-01"
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "organisation.incubation")).one()
    assert entry.before["incubated"] is False and entry.after["incubated_on"] == "2025-04-01"
    assert client.post(f"/admin/orgs/{org_id}/incubation", data={"incubated_on": "soon"}).status_code == 422
    assert client.post(f"/admin/orgs/{org_id}/incubation", data={"incubated_on": "2999-01-01"}).status_code == 422
    client.post(f"/admin/orgs/{org_id}/incubation", data={"clear": "1"})
    assert db.session.get(OrgIncubation, org_id) is None


def test_members_cannot_set_the_incubation_mark(login, world):
    client = login(UserFactory(organisation=world["inst"], role="org_admin"))
    assert client.post(f"/admin/orgs/{world['inst'].id}/incubation",
                       data={"incubated_on": "2025-04-01"}).status_code == 403
    assert db.session.get(OrgIncubation, world["inst"].id) is None


def test_the_review_report_page_pdf_and_csv(login, admin_user, world):
    client = login(admin_user)
    page = client.get("/admin/reports?kind=annual&year=2025").get_data(as_text=True)
    # R&D: D2 and D5 (80,000); volume: 4 contracts and 3 service orders, 213,000; incubated: 2.
    assert "8 万元" in page and "21.3 万元" in page and "图表制造公司" in page
    pdf = client.get("/admin/reports/review.pdf?start=2025-01-01&end=2025-12-31")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    csv = client.get("/admin/reports/review.csv?start=2025-01-01&end=2025-12-31").get_data(as_text=True)
    assert ",80000.00" in csv and ",213000.00" in csv and "图表研究所" in csv
    assert client.get("/admin/reports?year=abc").status_code == 400
    assert client.get("/admin/reports?year=2025&kind=weekly").status_code == 400
    assert client.get("/admin/reports/review.docx?year=2025").status_code == 404


def _sheets(data: bytes) -> dict:
    """Each sheet's rows (cell values) by title."""
    book = load_workbook(io.BytesIO(data))
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in book.worksheets}


def test_the_review_report_as_xlsx_in_chinese(login, admin_user, world):
    response = login(admin_user).get("/admin/reports/review.xlsx?kind=annual&year=2025")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    sheets = _sheets(response.data)
    assert list(sheets) == ["主要指标", "委托研发合同", "技术市场交易", "孵化企业"]
    kpis = {row[0]: row[1] for row in sheets["主要指标"] if len(row) > 1 and row[1] is not None}
    # Hand-computed in tests/analytics/market.py: R&D D2 + D5 = 50,000 + 30,000; volume: contracts D1 100,000,
    # D2 50,000, D3 20,000, D5 30,000 and orders 8,000 + 2,000 + 3,000 = 213,000 (7 rows); paid through the
    # platform: 103,000 + 20,600 − 600 + 8,240 = 131,240; incubated: the buyer (2025) and the provider (2024).
    assert [kpis[label] for label in list(kpis)[1:]] == [2, Decimal("80000"), Decimal("213000"), 7,
                                                         Decimal("131240"), 2, 1]
    assert any("北京时间" in str(row[0]) for row in sheets["主要指标"][:5])
    book = load_workbook(io.BytesIO(response.data))
    formats = {c.value: c.number_format for c in book["主要指标"]["B"] if c.value is not None}
    assert formats[80000] == formats[213000] == '#,##0.00"元"' and formats[7] == "#,##0"
    rd = sheets["委托研发合同"]
    assert rd[0][-1] == "金额" and [(r[4].date(), r[-1]) for r in rd[1:]] == [
        (date(2025, 2, 1), Decimal("30000")), (date(2025, 4, 25), Decimal("50000"))]  # D5: 31 Jan 20:00 UTC
    assert sum(r[-1] for r in sheets["技术市场交易"][1:]) == Decimal("213000")
    assert [r[0] for r in sheets["孵化企业"][1:]] == ["图表中试基地", "图表制造公司"]


def test_the_review_report_as_xlsx_in_english(login, admin_user, world):
    admin_user.locale = "en"
    sheets = _sheets(login(admin_user).get("/admin/reports/review.xlsx?year=2025").data)
    assert list(sheets)[0] == "Key figures" and sheets["R&D contracts"][0][-1] == "Amount"


def test_the_review_command_writes_pdf_xlsx_and_csv(app, world, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["analytics", "review", str(tmp_path / "r.pdf"), "--year", "2025"])
    assert result.exit_code == 0, result.output
    assert "2 R&D contracts (80000.00 yuan)" in result.output and "213000.00" in result.output
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
    result = runner.invoke(args=["analytics", "review", str(tmp_path / "r.csv"), "--start", "2025-01-01",
                                 "--end", "2025-12-31", "--region", "北京"])
    assert result.exit_code == 0, result.output
    assert "80000.00" in (tmp_path / "r.csv").read_text(encoding="utf-8-sig")
    result = runner.invoke(args=["analytics", "review", str(tmp_path / "r.xlsx"), "--year", "2025", "--lang", "en"])
    assert result.exit_code == 0, result.output
    sheets = _sheets((tmp_path / "r.xlsx").read_bytes())
    assert sum(r[-1] for r in sheets["Transaction volume"][1:]) == Decimal("213000")
    assert runner.invoke(args=["analytics", "review", str(tmp_path / "r.docx"), "--year", "2025"]).exit_code == 2
    assert runner.invoke(args=["analytics", "review", str(tmp_path / "r.csv"), "--start", "2025-09-01",
                               "--end", "2025-01-01"]).exit_code == 2
