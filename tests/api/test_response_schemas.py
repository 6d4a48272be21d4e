"""Real responses match the OpenAPI document: every field documented, nullable ones marked, timestamps with
their time zone. Objects in many states (deals along their path, drafts with empty fields, attachments) are read
through the API and validated against the operation's declared response schema; one walk calls every operation
of ``/api/v1/openapi.json`` with valid requests and fails when an operation is left out.

(The Schemathesis run calls operations with generated ids, which rarely name an existing deal; this covers them.)
"""
from __future__ import annotations

import io
import json
import re
import time
from datetime import timedelta

import pytest
import schemathesis
from sqlalchemy import select

from app.calls.models import Call
from app.core.extensions import db
from app.core.models import utcnow
from app.deals.models import DealStatus
from app.orgs.models import VerificationStatus
from app.payments import service as payments
from app.sales.models import SaleParticipant
from app.schedules.models import ItemKind
from tests.api.conftest import API, DATA, bearer, build_world, pdf_bytes
from tests.calls.conftest import CallMarket, call_input, pass_deadline, proposal_input, published_call
from tests.deals.conftest import drive, market, pdf_upload  # noqa: F401 — the deal fixtures serve this module too
from tests.factories import PASSWORD, make_listing
from tests.payments.fixtures import WEBHOOK_SECRET, sign
from tests.sales.conftest import TERMS
from tests.schedules.conftest import fund, item_act, items, scheduled_deal
from tests.schedules.test_schedule import RULE
from tests.service_orders.conftest import act as order_act
from tests.service_orders.conftest import order as new_order
from tests.service_orders.conftest import pay as pay_order

AWARE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
METHODS = {"get", "post", "put", "patch", "delete"}
# Operations the walk cannot call with a valid request: syncing asks Stripe for the payment's state (a test
# payment answers 409); tests/payments calls it against localstripe.
NEEDS_STRIPE = {"POST /payments/{payment_id}/sync"}
# Creating a schedule item is not an operation clients may use (a deal's items come from its approved contract):
# the walk checks that its refusal answers as documented.
REFUSED = {"POST /schedule-items": 403}


@pytest.fixture(scope="module")
def api_schema(app):
    return schemathesis.openapi.from_wsgi(f"{API}/openapi.json", app)


def check(api_schema, template: str, method: str, response) -> dict | list:
    """Validate ``response`` against the operation's documented response and return its JSON."""
    assert response.status_code < 400, response.get_data(as_text=True)
    api_schema[API + template][method].validate_response(response)
    return response.get_json()


def timestamps(value) -> list[str]:
    """Every string of ``value`` (nested) under a key ending in ``_at``."""
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key.endswith("_at") and isinstance(item, str):
                found.append(item)
            else:
                found.extend(timestamps(item))
    elif isinstance(value, list):
        for item in value:
            found.extend(timestamps(item))
    return found


@pytest.mark.parametrize("scenario", ["negotiation_with_offer", "inspection_failed", "completed", "disputed"])
def test_deals_in_each_state_match_their_schema(client, market, api_schema, scenario):
    deal = drive(market, scenario)
    headers = bearer(market.buyer)
    body = check(api_schema, "/deals/{obj_id}", "GET", client.get(f"{API}/deals/{deal.id}", headers=headers))
    assert {"status_label", "events", "payment", "next_actions"} <= set(body)
    assert body["demand_id"] is None or isinstance(body["demand_id"], int)
    check(api_schema, "/deals", "GET", client.get(f"{API}/deals", headers=headers))
    check(api_schema, "/deals/{obj_id}/messages", "GET", client.get(f"{API}/deals/{deal.id}/messages", headers=headers))
    stamps = timestamps(body)
    assert stamps and all(AWARE.match(stamp) for stamp in stamps), stamps


def test_listings_attachments_and_accounts_match_their_schema(client, patent_world, api_schema):
    w = patent_world
    headers = w.headers["member"]
    draft = check(api_schema, "/patents/{listing_id}", "GET", client.get(w.url(w.draft), headers=headers))
    assert draft["published_at"] is None and draft["moderation_note"] is None
    published = check(api_schema, "/patents/{listing_id}", "GET", client.get(w.url(w.published)))
    assert AWARE.match(published["published_at"]) and AWARE.match(published["created_at"])
    check(api_schema, "/patents", "GET", client.get(w.url(), headers=headers))
    upload = client.post(w.url(w.draft, "/attachments"), headers=w.headers["org_admin"],
                         data={"file": (io.BytesIO(pdf_bytes()), "说明书.pdf")}, content_type="multipart/form-data")
    attachment = check(api_schema, "/patents/{patent_id}/attachments", "POST", upload)
    assert attachment["download_url"].endswith("/download")
    check(api_schema, "/me", "GET", client.get(f"{API}/me", headers=headers))
    check(api_schema, "/orgs/{org_id}", "GET", client.get(f"{API}/orgs/{w.owner_org.id}", headers=headers))
    check(api_schema, "/admin/audit", "GET", client.get(f"{API}/admin/audit", headers=w.headers["admin"]))
    check(api_schema, "/notifications/read", "POST", client.post(f"{API}/notifications/read", json={},
                                                                 headers=headers))
    check(api_schema, "/payments/balances/{org_id}", "GET",
          client.get(f"{API}/payments/balances/{w.owner_org.id}", headers=headers))


def undocumented(value, schema: dict, components: dict, where: str = "") -> list[str]:
    """Keys of ``value`` (nested) that ``schema`` does not document: validation alone lets them through, as the
    document does not forbid additional properties."""
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    found = []
    if isinstance(value, dict) and "properties" in schema:
        for key, item in value.items():
            if key not in schema["properties"]:
                found.append(f"{where}.{key}")
            else:
                found.extend(undocumented(item, schema["properties"][key], components, f"{where}.{key}"))
    elif isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            found.extend(undocumented(item, schema["items"], components, f"{where}[{index}]"))
    return found


class Walk:
    """Calls operations through the test client, validates each answer against the document (no field left
    undocumented, every timestamp with its zone) and records which operations (``METHOD /template``) were
    called."""

    def __init__(self, client, api_schema):
        self.client, self.api_schema, self.called = client, api_schema, set()
        self.document = client.get(f"{API}/openapi.json").get_json()

    def __call__(self, method: str, template: str, url: str | None = None, *, user=None, status: int | None = None,
                 **kwargs):
        """``method`` ``template`` (``url`` fills its parameters) as ``user``; the checked JSON body (or None).
        ``status``: the answer expected instead of a success."""
        headers = {**kwargs.pop("headers", {}), **(bearer(user) if user else {})}
        response = getattr(self.client, method.lower())(API + (url or template), headers=headers, **kwargs)
        if status is None:
            assert response.status_code < 400, (method, template, response.get_data(as_text=True)[:500])
        else:
            assert response.status_code == status, (method, template, response.get_data(as_text=True)[:500])
        self.api_schema[API + template][method].validate_response(response)
        self.called.add(f"{method.upper()} {template}")
        body = response.get_json(silent=True)
        declared = self.document["paths"][API + template][method.lower()]["responses"]
        content = declared.get(str(response.status_code), declared.get("default", {})).get("content", {})
        if body is not None and "application/json" in content:
            extra = undocumented(body, content["application/json"]["schema"], self.document["components"]["schemas"])
            assert not extra, (method, template, "undocumented fields", extra)
            naive = [stamp for stamp in timestamps(body) if not AWARE.match(stamp)]
            assert not naive, (method, template, "timestamps without a zone", naive)
        return body


def _listing_operations(walk: Walk, resource: str) -> None:
    """Every operation of one listing resource, on a world of its own."""
    w = build_world(resource)
    admin = w.org_admin
    walk("GET", f"/{resource}", user=w.member)
    walk("GET", f"/{resource}", query_string={"mine": "true"}, user=w.member)
    created = walk("POST", f"/{resource}", json=DATA[resource](), user=admin)
    assert "confidential_details" not in created or resource == "patents"
    url = f"/{resource}/{created['id']}"
    walk("GET", f"/{resource}/{{listing_id}}", url, user=w.member)
    walk("GET", f"/{resource}/{{listing_id}}", f"/{resource}/{w.published.id}")  # anonymous: no confidential fields
    walk("PATCH", f"/{resource}/{{listing_id}}", url, json={"title": "修改后的标题：新材料工艺"}, user=admin)
    walk("POST", f"/{resource}/{{listing_id}}/submit", url + "/submit", user=admin)
    walk("POST", f"/{resource}/{{listing_id}}/withdraw", url + "/withdraw", user=admin)
    walk("DELETE", f"/{resource}/{{listing_id}}", url, user=admin)
    walk("GET", f"/search/{resource}", query_string={"q": "材料"})
    walk("POST", f"/search/{resource}", json={"q": "材料"})
    walk("GET", "/search/{resource}/suggest", f"/search/{resource}/suggest", query_string={"q": "材"})
    walk("GET", "/search/{resource}/{listing_id}/similar", f"/search/{resource}/{w.published.id}/similar")
    return w


def _call_operations(walk: Walk, market) -> None:  # noqa: F811 — the deals' market fixture
    """Calls for solutions: a call created, published and read; a confidential call's NDA; a proposal with its
    PDF, sealed until the deadline, then read by the enterprise, scored, asked about and awarded."""
    calls = CallMarket(base=market, institute_org=None, institute=None)
    buyer, seller, admin = market.buyer, market.seller, market.admin
    call = walk("POST", "/calls", json=call_input(), user=buyer)
    assert call["status"] == "pending" and AWARE.match(call["deadline"]) and call["published_at"] is None
    walk("POST", "/calls/{call_id}/actions/{action}", f"/calls/{call['id']}/actions/approve", json={}, user=admin)
    walk("GET", "/calls")
    walk("GET", "/calls", query_string={"mine": "true"}, user=buyer)
    walk("GET", "/calls/{call_id}", f"/calls/{call['id']}")
    body = walk("GET", "/calls/{call_id}", f"/calls/{call['id']}", user=admin)
    assert AWARE.match(body["published_at"]) and all(AWARE.match(stamp) for stamp in timestamps(body))
    secret = published_call(calls, confidential=True)
    walk("POST", "/calls/{call_id}/nda", f"/calls/{secret.id}/nda", json={"agree": True}, user=seller)
    proposal = walk("POST", "/calls/proposals", json=proposal_input(call["id"]), user=seller)
    item = f"/calls/proposals/{proposal['id']}"
    form = {key: str(value) for key, value in proposal_input().items() if key != "milestones"}
    for index, milestone in enumerate(proposal_input()["milestones"]):
        form |= {f"milestones-{index}-{key}": value for key, value in milestone.items()}
    revised = walk("POST", "/calls/proposals/{obj_id}/actions/{action}", item + "/actions/revise", user=seller,
                   data={**form, "attachment": (io.BytesIO(pdf_bytes()), "方案.pdf")}, content_type="multipart/form-data")
    walk("GET", "/calls/proposals", user=seller)
    walk("GET", "/calls/proposals/{obj_id}", item, user=seller)
    walk("GET", "/calls/proposals/{obj_id}/documents/{document_id}",
         f"{item}/documents/{revised['documents'][0]['id']}", user=seller)
    pass_deadline(db.session.get(Call, call["id"]))
    walk("GET", "/calls/{call_id}/proposals", f"/calls/{call['id']}/proposals", user=buyer)
    walk("POST", "/calls/proposals/{obj_id}/actions/{action}", item + "/actions/score", user=buyer,
         json={"scores": {"技术方案": 80, "团队": 70, "价格": 90}})
    walk("POST", "/calls/proposals/{obj_id}/messages", item + "/messages", json={"body": "何时可以开始？"}, user=buyer)
    walk("GET", "/calls/proposals/{obj_id}/messages", item + "/messages", user=seller)
    awarded = walk("POST", "/calls/{call_id}/actions/{action}", f"/calls/{call['id']}/actions/award",
                   json={"proposal_id": proposal["id"]}, user=buyer)
    assert awarded["status"] == "awarded" and awarded["deal_id"]


def _sale_operations(walk: Walk, market) -> None:
    """Public sales: a 挂牌 listing with an objection, an auction with a registered, paid bidder and a bid, and an
    open licence taken."""
    seller, buyer = market.seller, market.buyer
    listing = walk("POST", "/auctions", user=seller, json={
        "kind": "listing", "patent_id": make_listing("patents", market.seller_org).id, "price": "500000.00",
        "increment": "10000.00", "deposit": "50000.00", "terms": dict(TERMS)})
    walk("POST", "/auctions/{obj_id}/actions/{action}", f"/auctions/{listing['id']}/actions/raise_objection",
         json={"reason": "该专利权属存在争议"}, user=buyer)
    walk("GET", "/auctions/objections", user=market.admin)
    auction = walk("POST", "/auctions", user=seller, json={
        "kind": "auction", "patent_id": market.patent.id, "price": "100000.00", "increment": "5000.00",
        "deposit": "10000.00", "ends_at": (utcnow() + timedelta(days=1)).isoformat(), "terms": {"territory": "全球"}})
    item = f"/auctions/{auction['id']}"
    walk("POST", "/auctions/{obj_id}/actions/{action}", item + "/actions/register_bidder", user=buyer)
    participant = db.session.scalar(select(SaleParticipant).where(SaleParticipant.sale_id == auction["id"],
                                                                  SaleParticipant.org_id == market.buyer_org.id))
    payments.confirm_test_payment(market.identity("buyer"), payments.payment_of(participant).id,
                                  card_number="4242424242424242")
    walk("POST", "/auctions/{obj_id}/actions/{action}", item + "/actions/place_bid", json={"amount": "100000.00"},
         user=buyer)
    walk("GET", "/auctions")
    walk("GET", "/auctions/{obj_id}", item, user=buyer)
    live = walk("GET", "/auctions/{obj_id}/status", item + "/status")
    assert live["bids"] and AWARE.match(live["ends_at"]) and all(AWARE.match(stamp) for stamp in timestamps(live))
    licence = walk("POST", "/open-licences", user=seller, json={
        "kind": "open_licence", "patent_id": make_listing("patents", market.seller_org).id, "price": "20000.00",
        "terms": {"term_months": 24, "field_of_use": "储能", "royalty_rate": "2.5"}})
    offer = f"/open-licences/{licence['id']}"
    walk("POST", "/open-licences/{obj_id}/actions/{action}", offer + "/actions/take_licence", user=buyer)
    walk("GET", "/open-licences")
    walk("GET", "/open-licences/{obj_id}", offer)
    walk("GET", "/open-licences/{obj_id}/status", offer + "/status", user=buyer)


def _schedule_operations(walk: Walk, market) -> None:
    """Payment schedules: a licence paid by schedule, a royalty report with its evidence, an instalment funded and
    released, and the seller's distribution rules and statements."""
    buyer, seller = market.buyer, market.seller
    walk("PUT", "/distribution/rules", json=RULE, user=seller)
    deal = scheduled_deal(market)
    schedule = walk("GET", "/deals/{deal_id}/schedule", f"/deals/{deal.id}/schedule", user=buyer)
    assert all(AWARE.match(stamp) for stamp in timestamps(schedule))
    walk("GET", "/schedule-items", user=seller)
    royalty = next(item for item in schedule["items"] if item["kind"] == "royalty")
    url = f"/schedule-items/{royalty['id']}"
    walk("GET", "/schedule-items/{obj_id}", url, user=seller)
    filed = walk("POST", "/schedule-items/{obj_id}/actions/{action}", url + "/actions/file_report", user=buyer,
                 data={"sales": "200000", "evidence": (io.BytesIO(pdf_bytes()), "销售报表.pdf")},
                 content_type="multipart/form-data")
    evidence = filed["events"][-1]["payload"]["document_id"]  # the timeline names the report's evidence
    walk("GET", "/schedule-items/{obj_id}/documents/{document_id}", f"{url}/documents/{evidence}", user=seller)
    walk("POST", "/schedule-items", json={}, user=buyer, status=REFUSED["POST /schedule-items"])
    instalment = items(deal, ItemKind.instalment)[0]
    fund(market, instalment)
    item_act(market, "buyer", instalment, "release")
    walk("GET", "/distribution/rules", user=seller)
    walk("GET", "/distribution/statements", query_string={"org_id": market.seller_org.id}, user=seller)
    walk("GET", "/distribution/statements.csv", user=seller)
    walk("GET", "/distribution/statements.xlsx", user=seller)


def test_every_operation_answers_as_documented(client, app, market, api_schema, monkeypatch):  # noqa: F811 — fixture
    walk = Walk(client, api_schema)
    worlds = {resource: _listing_operations(walk, resource) for resource in ("patents", "demands", "services")}
    w = worlds["patents"]

    # Accounts, members, organisations and their verification.
    walk("POST", "/auth/register", json={"email": "new-user@example.cn", "password": "a-long-passphrase-1",
                                         "display_name": "新用户", "org_name": "新注册企业有限公司",
                                         "org_kind": "enterprise"})
    token = walk("POST", "/auth/tokens", json={"email": w.member.email, "password": PASSWORD, "name": "cli"})
    assert AWARE.match(token["expires_at"])
    walk("DELETE", "/auth/tokens/{token_id}", f"/auth/tokens/{token['id']}",
         headers={"Authorization": f"Bearer {token['token']}"})
    walk("GET", "/me", user=w.member)
    org = w.owner_org.id
    walk("GET", "/orgs/{org_id}", f"/orgs/{org}")
    walk("GET", "/orgs/{org_id}/members", f"/orgs/{org}/members", user=w.member)
    member = walk("POST", "/orgs/{org_id}/members", f"/orgs/{org}/members", json={"email": "colleague@example.cn",
                  "display_name": "同事", "role": "member"}, user=w.org_admin)
    walk("PATCH", "/orgs/{org_id}/members/{user_id}", f"/orgs/{org}/members/{member['id']}", json={"role": "broker"},
         user=w.org_admin)
    walk("DELETE", "/orgs/{org_id}/members/{user_id}", f"/orgs/{org}/members/{member['id']}", user=w.org_admin)
    other = worlds["demands"].other_org
    other.credit_code, other.verification_status = None, VerificationStatus.unverified
    walk("POST", "/orgs/{org_id}/verification", f"/orgs/{other.id}/verification",
         json={"credit_code": "91440300MA5DC12341"}, user=worlds["demands"].other)
    walk("GET", "/admin/verifications", user=w.admin)
    walk("POST", "/admin/verifications/{org_id}", f"/admin/verifications/{other.id}", json={"decision": "verify"},
         user=w.admin)

    # Attachments of a patent.
    attachment = walk("POST", "/patents/{patent_id}/attachments", f"/patents/{w.published.id}/attachments",
                      data={"file": (io.BytesIO(pdf_bytes()), "说明书.pdf")}, content_type="multipart/form-data",
                      user=w.org_admin)
    walk("GET", "/patents/{patent_id}/attachments", f"/patents/{w.published.id}/attachments")
    walk("GET", "/attachments/{attachment_id}/download", f"/attachments/{attachment['id']}/download")
    walk("DELETE", "/attachments/{attachment_id}", f"/attachments/{attachment['id']}", user=w.org_admin)

    # Moderation, audit, matching, saved searches, notifications, portfolio.
    pending = worlds["demands"]
    queued = walk("POST", "/demands", json=DATA["demands"](), user=pending.org_admin)
    walk("POST", "/demands/{listing_id}/submit", f"/demands/{queued['id']}/submit", user=pending.org_admin)
    walk("GET", "/admin/moderation", user=w.admin)
    walk("POST", "/admin/moderation/bulk", json={"resource": "demands", "ids": [queued["id"]], "decision": "approve"},
         user=w.admin)
    walk("GET", "/admin/audit", user=w.admin)
    walk("GET", "/demands/{demand_id}/matches", f"/demands/{pending.published.id}/matches")
    walk("GET", "/demands/{demand_id}/service-matches", f"/demands/{pending.published.id}/service-matches")
    walk("GET", "/patents/{patent_id}/matches", f"/patents/{w.published.id}/matches")
    saved = walk("POST", "/saved-searches", json={"resource": "patents", "name": "电池", "params": {"q": "电池"}},
                 user=w.member)
    walk("GET", "/saved-searches", user=w.member)
    walk("DELETE", "/saved-searches/{saved_id}", f"/saved-searches/{saved['id']}", user=w.member)
    walk("GET", "/notifications", user=pending.org_admin)
    walk("POST", "/notifications/read", json={}, user=pending.org_admin)
    walk("GET", "/portfolio/export/{resource}", "/portfolio/export/patents", user=w.org_admin)
    exported = client.get(f"{API}/portfolio/export/patents", headers=bearer(w.org_admin)).data
    walk("POST", "/portfolio/import/{resource}", "/portfolio/import/patents",
         data={"file": (io.BytesIO(exported), "patents.jsonl")}, content_type="multipart/form-data", user=w.org_admin)

    # Deals: creation, the action endpoint, offers, messages, documents, the NDA's patents, contract, registration.
    buyer, seller = market.buyer, market.seller
    deal = walk("POST", "/deals", json={"patent_id": market.patent.id, "message": "我们希望洽谈独占许可。"}, user=buyer)
    item = f"/deals/{deal['id']}"
    walk("GET", "/deals", user=buyer)
    walk("GET", "/deals/{obj_id}", item, user=seller)
    walk("POST", "/deals/{obj_id}/actions/{action}", item + "/actions/accept", json={}, user=seller)
    walk("POST", "/deals/{obj_id}/offers", item + "/offers", json=market.sample("make_offer"), user=buyer)
    walk("GET", "/deals/{obj_id}/offers", item + "/offers", user=seller)
    message = walk("POST", "/deals/{obj_id}/messages", item + "/messages", user=buyer, content_type="multipart/form-data",
                   data={"body": "附件为检测报告。", "files": [(io.BytesIO(pdf_bytes()), "报告.pdf")]})
    walk("GET", "/deals/{obj_id}/messages", item + "/messages", user=seller)
    walk("GET", "/deals/{obj_id}/documents/{document_id}", f"{item}/documents/{message['attachments'][0]['id']}",
         user=seller)
    nda = drive(market, "negotiation_after_nda")
    patent = nda.patents[0]
    secret = walk("POST", "/patents/{patent_id}/attachments", f"/patents/{patent.id}/attachments",
                  query_string={"confidential": "true"}, data={"file": (io.BytesIO(pdf_bytes()), "工艺.pdf")},
                  content_type="multipart/form-data", user=seller)
    walk("GET", "/deals/{obj_id}/patents", f"/deals/{nda.id}/patents", user=buyer)
    walk("GET", "/deals/{obj_id}/patent-attachments/{attachment_id}",
         f"/deals/{nda.id}/patent-attachments/{secret['id']}", user=buyer)
    completed = drive(market, DealStatus.completed)
    walk("GET", "/deals/{obj_id}/contract.pdf", f"/deals/{completed.id}/contract.pdf", user=buyer)
    walk("GET", "/deals/{obj_id}/registration.json", f"/deals/{completed.id}/registration.json", user=buyer)
    walk("GET", "/deals/{obj_id}/registration.csv", f"/deals/{completed.id}/registration.csv", user=buyer)

    # Service orders, with the provider's report as a document.
    walk("GET", "/service-orders", user=buyer)
    order = walk("POST", "/service-orders", json={"offer_id": market.pilot_offer.id,
                                                  "request_text": "需要对高镍正极材料进行50公斤级中试放大。"}, user=buyer)
    walk("GET", "/service-orders/{obj_id}", f"/service-orders/{order['id']}", user=market.pilot_user)
    walk("POST", "/service-orders/{obj_id}/actions/{action}", f"/service-orders/{order['id']}/actions/quote",
         json={"amount": "58000.00", "lead_time_days": 30, "note": "含三批次放大试验"}, user=market.pilot_user)
    reported = new_order(market)
    for actor, action in (("seller", "quote"), ("buyer", "accept_quote")):
        order_act(market, actor, reported, action)
    pay_order(market, reported)
    order_act(market, "seller", reported, "deliver_report", {"summary": "三批次均达到指标。",
                                                             "report": pdf_upload("中试报告.pdf")})
    body = walk("GET", "/service-orders/{obj_id}", f"/service-orders/{reported.id}", user=buyer)
    document = body["report"]
    walk("GET", "/service-orders/{obj_id}/documents/{document_id}",
         f"/service-orders/{reported.id}/documents/{document['id']}", user=buyer)

    # Payments: a deal waiting for payment, paid with the test provider, released, and the payout desk.
    payable = drive(market, DealStatus.awaiting_payment)
    walk("POST", "/deals/{obj_id}/actions/{action}", f"/deals/{payable.id}/actions/start_payment", json={}, user=buyer)
    payment = payments.payment_of(payable)
    walk("GET", "/payments/{payment_id}", f"/payments/{payment.id}", user=seller)  # the secret is the buyer's
    walk("POST", "/payments/{payment_id}/test-confirm", f"/payments/{payment.id}/test-confirm", json={}, user=buyer)
    walk("GET", "/payments/balances/{org_id}", f"/payments/balances/{market.seller_org.id}", user=seller)
    payout = walk("GET", "/payments/payouts", query_string={"status": "pending"}, user=market.admin)[0]
    walk("POST", "/payments/payouts/{payout_id}/record", f"/payments/payouts/{payout['id']}/record",
         json={"reference": "CMB-2026-001"}, user=market.admin)
    walk("PUT", "/payments/accounts/{org_id}", f"/payments/accounts/{market.seller_org.id}",
         json={"stripe_account_id": "acct_1TechBridge"}, user=market.admin)
    _call_operations(walk, market)
    _sale_operations(walk, market)
    _schedule_operations(walk, market)

    monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET)
    event = json.dumps({"id": "evt_walk", "type": "customer.created", "created": int(time.time()),
                        "data": {"object": {"id": "cus_1", "object": "customer"}}})
    walk("POST", "/payments/webhook", data=event, content_type="application/json",
         headers={"Stripe-Signature": sign(event)})

    document = {f"{method.upper()} {path.removeprefix(API)}" for path, ops in
                client.get(f"{API}/openapi.json").get_json()["paths"].items() for method in ops if method in METHODS}
    assert document - NEEDS_STRIPE - walk.called == set(), "operations of the document this test does not call"
