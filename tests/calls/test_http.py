"""Calls through HTTP: the API (public list and page, creation, NDA, actions, sealed proposals, threads, 4xx
bodies naming fields) and the pages (every page renders for its readers, forms explain bad input, sealed
proposals stay 404)."""
from __future__ import annotations

import io

import pytest

from app.calls.models import CallStatus, ProposalStatus
from app.calls.service import calls_service, proposals_service
from tests.api.conftest import pdf_bytes
from tests.calls.conftest import call_input, new_call, pass_deadline, proposal_input, propose, published_call
from tests.deals.conftest import pdf_upload
from tests.deals.test_pages import login
from tests.factories import bearer

API = "/api/v1/calls"


def test_api_lists_publishes_and_shows_calls(client, market):
    published = published_call(market)
    pending = new_call(market)
    listed = client.get(API, query_string={"open": "true"})
    assert listed.status_code == 200 and [c["id"] for c in listed.json] == [published.id]
    assert listed.headers["X-Total-Count"] == "1"
    assert client.get(f"{API}/{pending.id}").status_code == 404
    mine = client.get(API, query_string={"mine": "true"}, headers=bearer(market.buyer))
    assert {c["id"] for c in mine.json} == {published.id, pending.id}
    body = client.get(f"{API}/{published.id}").json
    assert body["budget_max"] == "1500000.00" and body["details"] and body["proposal_count"] is None

    created = client.post(API, json=call_input(title="API 创建的揭榜"), headers=bearer(market.buyer))
    assert created.status_code == 201 and created.json["status"] == "pending"
    assert created.headers["Location"].endswith(f"/calls/{created.json['id']}")
    approved = client.post(f"{API}/{created.json['id']}/actions/approve", json={}, headers=bearer(market.admin))
    assert approved.status_code == 200 and approved.json["status"] == "published"


@pytest.mark.parametrize("body, status, field", [
    ({**call_input(), "criteria": [{"name": "技术", "weight": 10}]}, 422, "criteria"),
    ({**call_input(), "budget_min": "abc"}, 422, "budget_min"),
    ([1, 2], 422, "_schema"),
    ({**call_input(), "deadline": 5}, 422, "deadline"),
])
def test_api_bad_call_input_names_the_field(client, market, body, status, field):
    response = client.post(API, json=body, headers=bearer(market.buyer))
    assert response.status_code == status and field in response.json["errors"]


def test_api_refusals(client, market):
    assert client.post(API, json=call_input()).status_code == 401
    assert client.post(API, json=call_input(), headers=bearer(market.seller)).status_code == 403
    call = published_call(market)
    wrong = client.post(f"{API}/{call.id}/actions/award", json={"proposal_id": 1}, headers=bearer(market.buyer))
    assert wrong.status_code == 409 and wrong.json["current_status"] == "published"
    assert client.post(f"{API}/{call.id}/actions/approve", json={}, headers=bearer(market.buyer)).status_code == 403
    assert client.post(f"{API}/{call.id}/actions/nonsense", json={}, headers=bearer(market.buyer)).status_code == 404
    assert client.post(f"{API}/{call.id}/nda", json={"agree": True},
                       headers=bearer(market.seller)).status_code == 409  # not confidential
    bad = client.post(f"{API}/proposals", json=proposal_input(call.id, price="x"), headers=bearer(market.seller))
    assert bad.status_code == 422 and "price" in bad.json["errors"]


def test_api_proposals_are_sealed_then_evaluated_and_awarded(client, market):
    call = published_call(market, confidential=True)
    assert client.get(f"{API}/{call.id}").json["details"] is None
    nda = client.post(f"{API}/{call.id}/nda", json={"agree": True}, headers=bearer(market.seller))
    assert nda.status_code == 200 and nda.json["details_visible"] is True
    client.post(f"{API}/{call.id}/nda", json={"agree": True}, headers=bearer(market.institute))
    sent = client.post(f"{API}/proposals", json=proposal_input(call.id), headers=bearer(market.seller))
    assert sent.status_code == 201, sent.json
    other = client.post(f"{API}/proposals", json=proposal_input(call.id), headers=bearer(market.institute))
    pid = sent.json["id"]
    for user in (market.buyer, market.institute, market.outsider):
        assert client.get(f"{API}/proposals/{pid}", headers=bearer(user)).status_code == 404
        assert client.get(f"{API}/proposals/{pid}/messages", headers=bearer(user)).status_code == 404
    assert client.get(f"{API}/{call.id}/proposals", headers=bearer(market.buyer)).json == []
    assert client.get(f"{API}/proposals", headers=bearer(market.buyer)).json == []

    pass_deadline(call)
    board = client.get(f"{API}/{call.id}/proposals", headers=bearer(market.buyer))
    assert {p["id"] for p in board.json} == {pid, other.json["id"]}
    scored = client.post(f"{API}/proposals/{pid}/actions/score", headers=bearer(market.buyer),
                         json={"scores": {"技术方案": 80, "团队": 80, "价格": 80}})
    assert scored.status_code == 200 and scored.json["weighted_score"] == "80.0"
    asked = client.post(f"{API}/proposals/{pid}/messages", json={"body": "何时可以开始？"}, headers=bearer(market.buyer))
    assert asked.status_code == 201
    thread = client.get(f"{API}/proposals/{pid}/messages", headers=bearer(market.seller)).json
    assert [m["body"] for m in thread] == ["何时可以开始？"]
    declined = client.post(f"{API}/proposals/{other.json['id']}/actions/decline", headers=bearer(market.buyer),
                           json={"code": "nonsense"})
    assert declined.status_code == 422 and "code" in declined.json["errors"]
    awarded = client.post(f"{API}/{call.id}/actions/award", json={"proposal_id": pid}, headers=bearer(market.buyer))
    assert awarded.status_code == 200 and awarded.json["status"] == "awarded" and awarded.json["deal_id"]
    deal = client.get(f"/api/v1/deals/{awarded.json['deal_id']}", headers=bearer(market.seller))
    assert deal.status_code == 200 and deal.json["status"] == "agreed"


def test_openapi_documents_the_call_endpoints(client):
    spec = client.get("/api/v1/openapi.json").json
    for path in ("/api/v1/calls", "/api/v1/calls/{call_id}", "/api/v1/calls/{call_id}/nda",
                 "/api/v1/calls/{call_id}/actions/{action}", "/api/v1/calls/proposals/{obj_id}/messages"):
        assert path in spec["paths"], path
    assert "CallDetail" in spec["components"]["schemas"]


# ---------------------------------------------------------------- pages


def test_pages_render_for_their_readers(client, market):
    call = published_call(market)
    proposal = propose(market, call, attachment=pdf_upload())
    page = client.get("/calls/").get_data(as_text=True)
    assert call.title in page and "剩余" in page
    english = client.get("/calls/?lang=en").get_data(as_text=True)
    assert "Calls for solutions" in english and " left" in english
    client.get("/calls/?lang=zh")
    assert client.get(f"/calls/{call.id}").status_code == 200
    login(client, market.seller)
    assert 'id="my-proposal"' in client.get(f"/calls/{call.id}").get_data(as_text=True)
    assert client.get(f"/calls/proposals/{proposal.id}").status_code == 200
    assert str(proposal.id) in client.get("/calls/proposals/").get_data(as_text=True)
    edit = client.get(f"/calls/{call.id}/propose?proposal_id={proposal.id}").get_data(as_text=True)
    assert "小试验证" in edit
    login(client, market.buyer)
    assert client.get(f"/calls/proposals/{proposal.id}").status_code == 404  # sealed
    assert "截止前" in client.get(f"/calls/{call.id}/board").get_data(as_text=True)
    assert client.get("/calls/new").status_code == 200
    assert market.demand.title in client.get(f"/calls/new?demand_id={market.demand.id}").get_data(as_text=True)
    pass_deadline(call)
    board = client.get(f"/calls/{call.id}/board").get_data(as_text=True)
    assert f'id="proposal-{proposal.id}"' in board
    assert client.get(f"/calls/proposals/{proposal.id}").status_code == 200
    login(client, market.outsider)
    assert client.get(f"/calls/{call.id}/board").status_code == 404


def test_page_forms_explain_bad_input_next_to_the_field(client, market):
    login(client, market.buyer)
    bad = client.post("/calls/new", data={"title": "揭榜", "summary": "短", "budget_min": "10", "budget_max": "5",
                                          "deadline": "2020-01-01T10:00", "eligible_kinds": "university",
                                          "criteria-0-name": "技术", "criteria-0-weight": "60"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'data-field="outcomes"' in html and 'data-field="summary"' in html
    weights = client.post("/calls/new", data={
        "title": "高镍正极材料烧结揭榜", "summary": "寻求降低烧结温度100℃以上的工艺方案。", "outcomes": "提交完整工艺包",
        "budget_min": "500000", "budget_max": "900000", "deadline": "2030-01-01T10:00",
        "eligible_kinds": "university", "criteria-0-name": "技术", "criteria-0-weight": "60"})
    assert weights.status_code == 422 and "权重合计须为 100" in weights.get_data(as_text=True)
    good = client.post("/calls/new", data={
        "title": "高镍正极材料烧结揭榜", "summary": "寻求降低烧结温度100℃以上的工艺方案。", "outcomes": "提交完整工艺包",
        "budget_min": "500000", "budget_max": "900000", "deadline": "2030-01-01T10:00",
        "eligible_kinds": ["university", "institute"], "criteria-0-name": "技术", "criteria-0-weight": "100"})
    assert good.status_code == 303
    call = calls_service.search(market.identity("buyer"), mine=True)[0][0]
    assert call.status == CallStatus.pending and call.deadline.hour == 2  # 10:00 China time is 02:00 UTC
    login(client, market.admin)
    client.post(f"/calls/{call.id}/actions/approve")
    login(client, market.seller)
    form = client.post(f"/calls/{call.id}/propose", data={"approach": "x", "trl_now": "4", "trl_target": "3"})
    html = form.get_data(as_text=True)
    assert form.status_code == 422 and 'data-field="approach"' in html and 'data-field="milestones"' in html
    sent = client.post(f"/calls/{call.id}/propose", data={
        "approach": "熔盐辅助烧结，实验室已验证。", "team": "张教授团队", "trl_now": "4", "trl_target": "6", "price": "600000",
        "milestones-0-title": "小试", "milestones-0-deliverable": "报告", "milestones-0-acceptance": "≤760℃",
        "milestones-0-amount": "600000", "milestones-0-due": "2030-06-30"})
    assert sent.status_code == 303
    proposal = proposals_service.list(market.identity("seller"))[0][0]
    assert proposal.status == ProposalStatus.submitted and proposal.milestones[0]["acceptance"] == "≤760℃"


def test_platform_admins_find_the_calls_waiting_for_them(client, market):
    call = new_call(market, title="等待审核的揭榜项目")
    login(client, market.admin)
    assert call.title in client.get("/calls/?pending=1").get_data(as_text=True)
    page = client.get(f"/calls/{call.id}").get_data(as_text=True)
    assert 'id="action-approve"' in page and 'id="action-request_revision"' in page
    login(client, market.seller)
    assert call.title not in client.get("/calls/?pending=1").get_data(as_text=True)


def test_a_pdf_attached_on_the_page_stays_sealed_until_the_deadline(client, market):
    call = published_call(market)
    proposal = propose(market, call)
    login(client, market.seller)
    form = {key: str(value) for key, value in proposal_input().items() if key != "milestones"}
    for index, milestone in enumerate(proposal_input()["milestones"]):
        form.update({f"milestones-{index}-{key}": value for key, value in milestone.items()})
    bad = client.post(f"/calls/{call.id}/propose?proposal_id={proposal.id}",
                      data={**form, "attachment": (io.BytesIO(b"not a pdf"), "x.pdf")},
                      content_type="multipart/form-data")
    assert bad.status_code == 422 and 'data-field="attachment"' in bad.get_data(as_text=True)
    sent = client.post(f"/calls/{call.id}/propose?proposal_id={proposal.id}",
                       data={**form, "attachment": (io.BytesIO(pdf_bytes()), "技术方案.pdf")},
                       content_type="multipart/form-data")
    assert sent.status_code == 303
    document = proposals_service.get(market.identity("seller"), proposal.id).documents[0]
    url = f"/calls/proposals/{proposal.id}/documents/{document.id}"
    assert client.get(url).status_code == 200
    api = f"{API}/proposals/{proposal.id}/documents/{document.id}"
    assert client.get(api, headers=bearer(market.buyer)).status_code == 404
    login(client, market.buyer)
    assert client.get(url).status_code == 404
    pass_deadline(call)
    assert client.get(url).status_code == 200
    assert client.get(api, headers=bearer(market.institute)).status_code == 404
