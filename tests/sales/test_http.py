"""Sales through HTTP: the API (anyone lists and looks; actions need a role; errors are 4xx JSON naming fields;
the OpenAPI document lists the routes) and the pages (every status renders; forms run actions and explain bad
input; the admin desk; the patent page counts open licences)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from app.core.models import utcnow
from tests.factories import PASSWORD
from tests.sales.conftest import act, put_up, register
from tests.sales.test_transitions import SCENARIOS, drive


def login(client, user):
    client.post("/logout")
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302


def test_api_creates_lists_bids_and_polls(client, market):
    login(client, market.seller)
    created = client.post("/api/v1/auctions", json={
        "kind": "auction", "patent_id": market.patent.id, "price": "100000.00", "increment": "5000.00",
        "deposit": "10000.00", "ends_at": (utcnow() + timedelta(days=1)).isoformat(), "terms": {"territory": "全球"}})
    assert created.status_code == 201, created.get_json()
    sale = created.get_json()
    assert sale["status"] == "bidding" and sale["minimum_bid"] == "100000.00" and sale["me"]["role"] == "seller"
    client.post("/logout")
    listed = client.get("/api/v1/auctions")
    assert listed.status_code == 200 and [s["id"] for s in listed.get_json()] == [sale["id"]]
    assert client.get("/api/v1/open-licences").get_json() == []
    assert client.post(f"/api/v1/auctions/{sale['id']}/actions/register_bidder").status_code == 401

    from app.core.extensions import db
    from app.sales.models import Sale

    register(market, "buyer", db.session.get(Sale, sale["id"]))
    login(client, market.buyer)
    low = client.post(f"/api/v1/auctions/{sale['id']}/actions/place_bid", json={"amount": "1"})
    assert low.status_code == 422 and "amount" in low.get_json()["errors"]
    bad = client.post(f"/api/v1/auctions/{sale['id']}/actions/place_bid", json={"amount": "abc"})
    assert bad.status_code == 422
    ok = client.post(f"/api/v1/auctions/{sale['id']}/actions/place_bid", json={"amount": "100000.00"})
    assert ok.status_code == 200 and ok.get_json()["me"]["leading"] is True
    live = client.get(f"/api/v1/auctions/{sale['id']}/status").get_json()
    assert live["current_price"] == "100000.00" and live["bids"][0]["bidder"] == "竞买人1"
    assert client.post(f"/api/v1/auctions/{sale['id']}/actions/close_auction").status_code == 403
    assert client.post(f"/api/v1/auctions/{sale['id']}/actions/fly").status_code == 404
    login(client, market.outsider)
    assert client.post(f"/api/v1/auctions/{sale['id']}/actions/register_bidder").status_code == 404


def test_api_bad_input_and_forbidden_creation(client, market):
    login(client, market.buyer)
    forbidden = client.post("/api/v1/open-licences", json={"kind": "open_licence", "patent_id": market.patent.id,
                                                           "price": "1.00", "terms": {"term_months": 12}})
    assert forbidden.status_code == 403
    login(client, market.seller)
    for body in ([], {"kind": "open_licence"}, {"kind": "auction", "patent_id": "x", "price": "1e999"}):
        response = client.post("/api/v1/open-licences", json=body)
        assert response.status_code == 422 and response.get_json()["errors"], body
    assert client.post("/api/v1/auctions", data="{", content_type="application/json").status_code == 400
    assert client.get("/api/v1/auctions/999999").status_code == 404
    assert client.get("/api/v1/auctions/objections").status_code == 403


def test_openapi_documents_the_routes(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/auctions", "/api/v1/auctions/{obj_id}/status", "/api/v1/auctions/{obj_id}/actions/{action}",
                 "/api/v1/open-licences", "/api/v1/open-licences/{obj_id}"):
        assert path in paths, path


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_every_status_renders_for_everyone(client, market, scenario):
    sale = drive(market, scenario)
    for user in (market.seller, market.buyer, market.bidder, market.admin, market.outsider, None):
        if user:
            login(client, user)
        else:
            client.post("/logout")
        page = client.get(f"/auctions/{sale.id}")
        assert page.status_code == 200, (scenario, user)
        assert sale.title in page.get_data(as_text=True)
    assert client.get("/auctions").status_code == 200 and client.get("/open-licences").status_code == 200


def test_forms_run_actions_and_explain_bad_input(client, market):
    sale = put_up(market, "auction")
    register(market, "bidder", sale)
    login(client, market.bidder)
    page = client.get(f"/auctions/{sale.id}").get_data(as_text=True)
    assert 'id="form-place_bid"' in page and "竞买人1" in page
    bad = client.post(f"/auctions/{sale.id}/actions/place_bid", data={"amount": "10"})
    assert bad.status_code == 422 and "500000.00" in bad.get_data(as_text=True)
    good = client.post(f"/auctions/{sale.id}/actions/place_bid", data={"amount": "500000"})
    assert good.status_code == 303
    login(client, market.buyer)
    registering = client.post(f"/auctions/{sale.id}/actions/register_bidder")
    assert registering.status_code == 303 and "/payments/" in registering.headers["Location"]


def test_selling_form_and_open_licence_checkout(client, market):
    login(client, market.seller)
    form = client.get("/auctions/new")
    assert form.status_code == 200 and market.patent.title in form.get_data(as_text=True)
    bad = client.post("/auctions/new", data={"patent_id": market.patent.id, "kind": "open_licence", "price": "x"})
    assert bad.status_code == 422 and 'id="error-price"' in bad.get_data(as_text=True)
    made = client.post("/auctions/new", data={"patent_id": market.patent.id, "kind": "open_licence",
                                              "price": "20000", "term_months": "24", "field_of_use": "储能"})
    assert made.status_code == 303
    sale_id = int(made.headers["Location"].rsplit("/", 1)[1])
    login(client, market.buyer)
    taken = client.post(f"/auctions/{sale_id}/actions/take_licence")
    assert taken.status_code == 303 and "/deals/" in taken.headers["Location"]
    patent_page = client.get(f"/patents/{market.patent.id}").get_data(as_text=True)
    assert 'id="open-licence-count"' in patent_page
    assert "1" in patent_page.split('id="open-licence-count">')[1][:20]


def test_objection_reaches_the_admin_desk(client, market):
    sale = put_up(market, "listing")
    act(market, "buyer", sale, "raise_objection", {"reason": "权属有争议，请核实"})
    login(client, market.admin)
    desk = client.get("/auctions/objections")
    assert desk.status_code == 200 and "权属有争议" in desk.get_data(as_text=True)
    login(client, market.buyer)
    assert client.get("/auctions/objections").status_code == 403
