"""The deals REST API: opening deals, the action endpoint's status codes, offers, the thread, documents, the contract
PDF and the registration export; bad input is a 422 naming the field and never a partial write."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from app.core.extensions import db
from app.deals.models import Deal, DealMessage, DealOffer, DealStatus
from tests.api.conftest import bearer, pdf_bytes
from tests.deals.conftest import COUNTER, OFFER, drive, open_deal

API = "/api/v1/deals"


@pytest.fixture
def headers(market):
    return {actor: bearer(getattr(market, actor)) for actor in ("buyer", "seller", "admin", "outsider", "buyer_member")}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_open_a_deal_then_read_it_with_events_and_next_actions(client, market, headers):
    response = client.post(API, json={"patent_id": market.patent.id, "demand_id": market.demand.id,
                                      "message": "希望获得独占许可，请报价。"}, headers=headers["buyer"])
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert response.headers["Location"].endswith(f"{API}/{body['id']}")
    assert body["status"] == "inquiry" and body["status_label"]
    assert body["buyer"]["name"] == market.buyer_org.name and body["patents"][0]["id"] == market.patent.id
    assert [e["action"] for e in body["events"]] == ["create"]
    assert [(a["name"], a["fields"]) for a in body["next_actions"]] == [("cancel", ["reason"]),
                                                                         ("dispute", ["reason"])]

    seller_view = client.get(f"{API}/{body['id']}", headers=headers["seller"]).get_json()
    assert [a["name"] for a in seller_view["next_actions"]] == ["accept", "decline", "cancel", "dispute"]
    assert client.get(f"{API}/{body['id']}", headers=headers["outsider"]).status_code == 404
    assert client.get(f"{API}/{body['id']}").status_code == 401
    # Every member of a party organisation is a party.
    assert client.get(f"{API}/{body['id']}", headers=headers["buyer_member"]).status_code == 200
    listed = client.get(API, headers=headers["seller"])
    assert listed.headers["X-Total-Count"] == "1" and listed.get_json()[0]["id"] == body["id"]
    assert client.get(API, headers=headers["outsider"]).get_json() == []
    assert client.get(f"{API}?status=inquiry&status=negotiation", headers=headers["seller"]).get_json()[0]["id"] == body["id"]
    assert client.get(f"{API}?status=completed", headers=headers["seller"]).get_json() == []
    bad = client.get(f"{API}?status=nonsense", headers=headers["seller"])
    assert bad.status_code == 422 and "status" in bad.get_json()["errors"]


def test_a_second_open_deal_on_the_same_patent_is_a_conflict(client, market, headers):
    first = client.post(API, json={"patent_id": market.patent.id, "message": "询价"}, headers=headers["buyer"])
    again = client.post(API, json={"patent_id": market.patent.id, "message": "再次询价"}, headers=headers["buyer"])
    assert again.status_code == 409 and again.get_json()["deal_id"] == first.get_json()["id"]


@pytest.mark.parametrize("body, field", [
    ({}, "message"),
    ({"message": "询价"}, "patent_id"),
    ({"patent_id": "abc", "message": "询价"}, "patent_id"),
    ({"patent_id": 999999, "message": "询价"}, "patent_id"),
    ({"patent_id": 1, "message": "x" * 5001}, "message"),
    ({"patent_ids": [], "message": "询价"}, "patent_ids"),
    ({"match_id": 999999, "message": "询价"}, "match_id"),
    ({"demand_id": "x", "patent_id": 1, "message": "询价"}, "demand_id"),
])
def test_bad_deal_input_names_the_field(client, market, headers, body, field):
    response = client.post(API, json=body, headers=headers["buyer"])
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]
    assert count(Deal) == 0


def test_deal_rules_on_who_opens_what(client, market, headers):
    own = client.post(API, json={"patent_id": market.patent.id, "message": "自己的专利"}, headers=headers["seller"])
    assert own.status_code == 422 and "patent_id" in own.get_json()["errors"]
    others_demand = client.post(API, json={"patent_id": market.patent.id, "demand_id": market.demand.id,
                                           "message": "别人的需求"}, headers=headers["outsider"])
    assert others_demand.status_code == 422 and "demand_id" in others_demand.get_json()["errors"]
    admin = client.post(API, json={"patent_id": market.patent.id, "message": "平台"}, headers=headers["admin"])
    assert admin.status_code == 403
    assert client.post(API, json={"patent_id": market.patent.id, "message": "匿名"}).status_code == 401


def test_the_action_endpoint_answers_403_404_409_422(client, market, headers):
    deal = open_deal(market)
    url = f"{API}/{deal.id}/actions"
    assert client.post(f"{url}/accept", headers=headers["outsider"]).status_code == 404
    assert client.post(f"{url}/accept", headers=headers["buyer"]).status_code == 403
    assert client.post(f"{url}/approve_contract", headers=headers["admin"]).status_code == 409
    conflict = client.post(f"{url}/make_offer", json=OFFER, headers=headers["seller"])
    assert conflict.status_code == 409 and conflict.get_json()["current_status"] == "inquiry"
    assert client.post(f"{url}/no_such_action", headers=headers["seller"]).status_code == 404
    bad = client.post(f"{url}/decline", json={"reason": ""}, headers=headers["seller"])
    assert bad.status_code == 422 and "reason" in bad.get_json()["errors"]
    accepted = client.post(f"{url}/accept", headers=headers["seller"])
    assert accepted.status_code == 200 and accepted.get_json()["status"] == "negotiation"
    assert client.post(f"{url}/accept", headers=headers["seller"]).get_json()["current_status"] == "negotiation"


@pytest.mark.parametrize("change, field", [
    ({"mode": "rent"}, "mode"),
    ({"territory": ""}, "territory"),
    ({"field_of_use": None}, "field_of_use"),
    ({"term_months": None}, "term_months"),  # a licence needs a term
    ({"term_months": 0}, "term_months"),
    ({"upfront_fee": "-1"}, "upfront_fee"),
    ({"upfront_fee": "0"}, "upfront_fee"),
    ({"upfront_fee": "abc"}, "upfront_fee"),
    ({"royalty_rate": "101"}, "royalty_rate"),
    ({"milestones": [{"title": "", "amount": "1"}]}, "milestones"),
    ({"milestones": [{"title": "验收", "amount": "-5"}]}, "milestones"),
    ({"milestones": [{"title": "验收", "amount": "5", "due": "明年"}]}, "milestones"),
    ({"conditions": "x" * 5001}, "conditions"),
])
def test_bad_offer_terms_name_the_field_and_write_nothing(client, market, headers, change, field):
    deal = drive(market, DealStatus.negotiation)
    response = client.post(f"{API}/{deal.id}/offers", json={**OFFER, **change}, headers=headers["buyer"])
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]
    assert count(DealOffer) == 0


def test_offers_and_counter_offers(client, market, headers):
    deal = drive(market, DealStatus.negotiation)
    first = client.post(f"{API}/{deal.id}/offers", json=OFFER, headers=headers["buyer"])
    assert first.status_code == 201 and first.get_json()["latest_offer"]["made_by"] == "buyer"
    # The one who made the offer may not accept it; the other side may.
    assert client.post(f"{API}/{deal.id}/actions/accept_offer", headers=headers["buyer"]).status_code == 403
    counter = client.post(f"{API}/{deal.id}/offers", json=COUNTER, headers=headers["seller"])
    assert counter.get_json()["latest_offer"]["terms"]["upfront_fee"] == "1000000.00"
    offers = client.get(f"{API}/{deal.id}/offers", headers=headers["buyer"]).get_json()
    assert [(o["made_by"], o["status"]) for o in offers] == [("buyer", "superseded"), ("seller", "open")]
    agreed = client.post(f"{API}/{deal.id}/actions/accept_offer", headers=headers["buyer"]).get_json()
    assert agreed["status"] == "agreed" and agreed["terms"]["upfront_fee"] == "1000000.00"
    assert client.get(f"{API}/{deal.id}/offers", headers=headers["buyer"]).get_json()[-1]["status"] == "accepted"


def test_messages_with_pdf_attachments(client, market, headers):
    deal = open_deal(market)
    url = f"{API}/{deal.id}/messages"
    assert client.post(url, json={"body": "请提供中试数据。"}, headers=headers["seller"]).status_code == 201
    upload = client.post(url, data={"body": "附件为检测报告。", "files": [(io.BytesIO(pdf_bytes()), "报告.pdf")]},
                         headers=headers["buyer"], content_type="multipart/form-data")
    assert upload.status_code == 201, upload.get_json()
    attachment = upload.get_json()["attachments"][0]
    assert attachment["filename"] == "报告.pdf"
    download = client.get(f"{API}/{deal.id}/documents/{attachment['id']}", headers=headers["seller"])
    assert download.status_code == 200 and download.data.startswith(b"%PDF-")
    assert client.get(f"{API}/{deal.id}/documents/{attachment['id']}", headers=headers["outsider"]).status_code == 404
    thread = client.get(url, headers=headers["admin"]).get_json()
    assert [m["body"] for m in thread] == ["我们对该专利的独占许可感兴趣，希望进一步洽谈。", "请提供中试数据。", "附件为检测报告。"]
    assert client.get(url, headers=headers["outsider"]).status_code == 404

    before = count(DealMessage)
    fake = client.post(url, data={"body": "不是PDF", "files": [(io.BytesIO(b"hello"), "x.pdf")]},
                       headers=headers["buyer"], content_type="multipart/form-data")
    assert fake.status_code == 422 and "files" in fake.get_json()["errors"]
    assert client.post(url, json={"body": ""}, headers=headers["buyer"]).get_json()["errors"].keys() == {"body"}
    assert count(DealMessage) == before


def test_multipart_needs_a_bearer_token(client, market, headers):
    """Cookie sessions have no CSRF token on the API, so multipart (which a cross-site form can send) is refused."""
    from tests.factories import PASSWORD

    deal = open_deal(market)
    client.post("/login", data={"email": market.seller.email, "password": PASSWORD})
    assert client.get(f"{API}/{deal.id}").status_code == 200  # logged in by cookie
    response = client.post(f"{API}/{deal.id}/actions/accept", data={"x": "1"}, content_type="multipart/form-data")
    assert response.status_code == 415
    assert client.post(f"{API}/{deal.id}/actions/accept", json={}).status_code == 200


def test_contract_pdf_and_registration_are_there_when_they_exist(client, market, headers):
    deal = drive(market, DealStatus.agreed)
    assert client.get(f"{API}/{deal.id}/contract.pdf", headers=headers["buyer"]).status_code == 409
    client.post(f"{API}/{deal.id}/actions/generate_contract", headers=headers["seller"])
    pdf = client.get(f"{API}/{deal.id}/contract.pdf", headers=headers["buyer"])
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert client.get(f"{API}/{deal.id}/contract.pdf", headers=headers["outsider"]).status_code == 404
    early = client.get(f"{API}/{deal.id}/registration.json", headers=headers["buyer"])
    assert early.status_code == 409 and early.get_json()["current_status"] == "contract_signing"
