"""Schedules over HTTP: the API (schedule, item actions with their status codes, distribution rules and CSV) and
the pages (the deal's "Payment schedule" section, an item page with its forms, the distribution page and the desk),
Chinese by default, for the parties, the admin and outsiders."""
from __future__ import annotations

import io

from app.schedules import distribution
from app.schedules.models import ItemKind
from tests.api.conftest import bearer, pdf_bytes
from tests.deals.test_pages import login
from tests.schedules.conftest import fund, item_act, items, scheduled_deal
from tests.schedules.test_schedule import RULE

API = "/api/v1"


def test_the_schedule_api_and_item_actions(client, market):
    deal = scheduled_deal(market)
    buyer, seller, outsider = bearer(market.buyer), bearer(market.seller), bearer(market.outsider)
    schedule = client.get(f"{API}/deals/{deal.id}/schedule", headers=buyer)
    assert schedule.status_code == 200, schedule.get_json()
    body = schedule.get_json()
    assert len(body["items"]) == 7 and body["years"][0]["minimum"] == 2_000_000
    assert client.get(f"{API}/deals/{deal.id}/schedule", headers=outsider).status_code == 404
    royalty = next(i for i in body["items"] if i["kind"] == "royalty")
    url = f"{API}/schedule-items/{royalty['id']}"
    assert client.get(url, headers=outsider).status_code == 404
    assert client.post(f"{url}/actions/accept_report", json={}, headers=buyer).status_code == 403
    conflict = client.post(f"{url}/actions/accept_report", json={}, headers=seller)
    assert conflict.status_code == 409 and conflict.get_json()["current_status"] == "awaiting_report"
    bad = client.post(f"{url}/actions/file_report", json={"sales": "abc"}, headers=buyer)
    assert bad.status_code == 422 and {"sales", "evidence"} <= set(bad.get_json()["errors"])
    filed = client.post(f"{url}/actions/file_report", headers=buyer, content_type="multipart/form-data",
                        data={"sales": "200000", "evidence": (io.BytesIO(pdf_bytes()), "销售报表.pdf")})
    assert filed.status_code == 200, filed.get_json()
    assert filed.get_json()["amount"] == 1_000_000 and filed.get_json()["status"] == "report_filed"
    assert client.post(f"{API}/schedule-items", json={}, headers=buyer).status_code == 403


def test_distribution_api(client, market):
    seller = bearer(market.seller)
    bad = client.put(f"{API}/distribution/rules", json={"shares": [{"beneficiary": "发明人", "kind": "inventor",
                                                                     "percent": "101"}]}, headers=seller)
    assert bad.status_code == 422 and "shares" in bad.get_json()["errors"]
    assert client.put(f"{API}/distribution/rules", json=RULE, headers=bearer(market.buyer)).status_code == 403
    saved = client.put(f"{API}/distribution/rules", json=RULE, headers=seller)
    assert saved.status_code == 200 and [s["percent"] for s in saved.get_json()["shares"]] == ["70.00", "15.00",
                                                                                             "15.00"]
    assert client.get(f"{API}/distribution/rules", headers=seller).get_json()[0]["id"] == saved.get_json()["id"]
    other = client.get(f"{API}/distribution/statements?org_id={market.seller_org.id}", headers=bearer(market.outsider))
    assert other.status_code == 403
    deal = scheduled_deal(market)
    instalment = items(deal, ItemKind.instalment)[0]
    fund(market, instalment)
    item_act(market, "buyer", instalment, "release")
    statements = client.get(f"{API}/distribution/statements", headers=seller).get_json()
    assert [s["beneficiary"] for s in statements] == ["发明人团队", "学校", "材料学院"]
    csv = client.get(f"{API}/distribution/statements.csv", headers=seller)
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    lines = csv.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("单号,") and len(lines) == 4
    xlsx = client.get(f"{API}/distribution/statements.xlsx", headers=seller)
    assert xlsx.status_code == 200 and xlsx.data.startswith(b"PK")


def test_pages(client, market):
    distribution.set_rule(market.identity("seller"), RULE)
    deal = scheduled_deal(market)
    milestone = items(deal, ItemKind.milestone)[0]
    fund(market, milestone)
    for user in (market.buyer, market.seller, market.admin):
        login(client, user)
        page = client.get(f"/deals/{deal.id}").get_data(as_text=True)
        assert 'id="payment-schedule"' in page and "付款计划" in page and "分期款" in page
        item_page = client.get(f"/schedule-items/{milestone.id}")
        assert item_page.status_code == 200 and "三批次能量密度" in item_page.get_data(as_text=True)
    login(client, market.seller)
    page = client.get(f"/schedule-items/{milestone.id}").get_data(as_text=True)
    assert 'id="action-deliver"' in page
    bad = client.post(f"/schedule-items/{milestone.id}/actions/deliver", data={"note": ""})
    assert bad.status_code == 422
    good = client.post(f"/schedule-items/{milestone.id}/actions/deliver", data={"note": "工艺包已交付"})
    assert good.status_code == 303
    assert client.get("/distribution/").status_code == 200
    bad_rule = client.post("/distribution/", data={"shares-0-beneficiary": "发明人", "shares-0-kind": "inventor",
                                                   "shares-0-percent": "90"})
    assert bad_rule.status_code == 422 and "100" in bad_rule.get_data(as_text=True)
    assert client.get("/schedule-items/desk").status_code == 403
    login(client, market.outsider)
    assert client.get(f"/schedule-items/{milestone.id}").status_code == 404
    assert client.get(f"/distribution/?org_id={market.seller_org.id}").status_code == 403
    login(client, market.admin)
    assert client.get("/schedule-items/desk").status_code == 200
    assert client.get("/distribution/statements.csv", query_string={"org_id": market.seller_org.id}).status_code == 200
