"""Deal and service-order pages (Chinese by default): every status renders for every party, forms run actions and
explain bad input, the desk is for platform admins, and a deal starts from a patent or a demand's matches."""
from __future__ import annotations

import io

import pytest

from app.deals.models import DealStatus
from tests.api.conftest import pdf_bytes
from tests.deals.conftest import drive, open_deal
from tests.factories import PASSWORD


def login(client, user):
    client.post("/logout")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize("status", list(DealStatus), ids=lambda s: s.value)
def test_every_status_renders_for_both_parties_and_the_admin(client, market, status):
    deal = drive(market, status)
    for user in (market.buyer, market.seller, market.admin):
        login(client, user)
        page = client.get(f"/deals/{deal.id}")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert "时间线" in html and deal.title in html and 'id="next-actions"' in html
    login(client, market.outsider)
    assert client.get(f"/deals/{deal.id}").status_code == 404


def test_forms_run_actions_and_explain_bad_input(client, market):
    deal = drive(market, DealStatus.negotiation)
    login(client, market.buyer)
    page = client.get(f"/deals/{deal.id}").get_data(as_text=True)
    assert 'id="action-make_offer"' in page and "独占许可" in page and "首付款" in page
    bad = client.post(f"/deals/{deal.id}/actions/make_offer", data={
        "mode": "exclusive_licence", "territory": "", "field_of_use": "动力电池", "upfront_fee": "-3"})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert 'value="动力电池"' in html  # the form keeps what was typed
    assert html.count('class="flash error"') >= 2
    good = client.post(f"/deals/{deal.id}/actions/make_offer", data={
        "mode": "exclusive_licence", "territory": "中国大陆", "field_of_use": "动力电池", "term_months": "36",
        "upfront_fee": "500000", "royalty_rate": "2.5", "milestones-0-title": "中试通过", "milestones-0-amount": "100000",
        "milestones-0-due": "2027-01-31", "milestones-1-title": "", "milestones-1-amount": "", "milestones-1-due": "",
        "conditions": ""})
    assert good.status_code == 303
    offer = deal.latest_offer
    assert offer.terms["milestones"] == [{"title": "中试通过", "amount": "100000.00", "due": "2027-01-31"}]
    login(client, market.seller)
    accepted = client.post(f"/deals/{deal.id}/actions/accept_offer", follow_redirects=True)
    assert "已完成：接受报价" in accepted.get_data(as_text=True)
    # A refused action is a message on the page, not an error page.
    again = client.post(f"/deals/{deal.id}/actions/accept_offer", follow_redirects=True)
    assert again.status_code == 200 and 'class="flash error"' in again.get_data(as_text=True)


def test_the_inspection_report_is_uploaded_with_the_form(client, market):
    deal = drive(market, DealStatus.inspection)
    login(client, market.buyer)
    response = client.post(f"/deals/{deal.id}/actions/inspection_passed", data={
        "results": "全部合格", "report": (io.BytesIO(pdf_bytes()), "检测报告.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 303
    page = client.get(f"/deals/{deal.id}").get_data(as_text=True)
    assert "检测报告.pdf" in page


def test_messages_from_the_page(client, market):
    deal = open_deal(market)
    login(client, market.seller)
    sent = client.post(f"/deals/{deal.id}/messages", data={
        "body": "请提供详细需求。", "files": [(io.BytesIO(pdf_bytes()), "资料.pdf")]}, content_type="multipart/form-data")
    assert sent.status_code == 303
    page = client.get(f"/deals/{deal.id}").get_data(as_text=True)
    assert "请提供详细需求。" in page and "资料.pdf" in page
    empty = client.post(f"/deals/{deal.id}/messages", data={"body": ""})
    assert empty.status_code == 422


def test_start_a_deal_from_a_patent_page(client, market):
    login(client, market.buyer)
    form = client.get(f"/deals/new?patent_id={market.patent.id}&demand_id={market.demand.id}")
    assert form.status_code == 200 and "发送询价" in form.get_data(as_text=True)
    missing = client.post("/deals/new", data={"patent_id": market.patent.id, "message": ""})
    assert missing.status_code == 422
    sent = client.post("/deals/new", data={"patent_id": market.patent.id, "demand_id": market.demand.id,
                                            "message": "希望洽谈独占许可。"})
    assert sent.status_code == 303
    deal_url = sent.headers["Location"]
    again = client.post("/deals/new", data={"patent_id": market.patent.id, "message": "再次询价"})
    assert again.status_code == 303 and again.headers["Location"] == deal_url  # the open deal, not a second one
    assert "我的交易" in client.get("/deals/").get_data(as_text=True)


def test_start_a_deal_from_the_matches_of_a_demand(client, market, app_engine):
    from app.demands.service import demands_service
    from app.patents.service import patents_service

    patents_service.sync_index({market.patent.id})
    demands_service.sync_index({market.demand.id})
    login(client, market.buyer)
    page = client.get(f"/deals/new?demand_id={market.demand.id}").get_data(as_text=True)
    assert market.patent.title in page and f"patent_id={market.patent.id}" in page


def test_the_desk_is_for_platform_admins(client, market):
    review = drive(market, DealStatus.contract_review)
    disputed = drive(market, DealStatus.disputed)
    login(client, market.buyer)
    assert client.get("/deals/desk").status_code == 403
    login(client, market.admin)
    html = client.get("/deals/desk").get_data(as_text=True)
    assert f"/deals/{review.id}" in html and f"/deals/{disputed.id}" in html and "待审核合同" in html


def test_service_order_pages(client, market):
    login(client, market.buyer)
    form = client.get(f"/service-orders/new?offer_id={market.pilot_offer.id}")
    assert form.status_code == 200
    sent = client.post("/service-orders/new", data={"offer_id": market.pilot_offer.id,
                                                     "request_text": "50公斤级中试放大"})
    assert sent.status_code == 303
    order_url = sent.headers["Location"]
    login(client, market.pilot_user)
    assert 'id="action-quote"' in client.get(order_url).get_data(as_text=True)
    quoted = client.post(f"{order_url}/actions/quote", data={"amount": "30000", "lead_time_days": "20"})
    assert quoted.status_code == 303
    login(client, market.buyer)
    html = client.get(order_url).get_data(as_text=True)
    assert "3 万元" in html and "30000.0" not in html and 'id="action-accept_quote"' in html
    assert "我的服务订单" in client.get("/service-orders/").get_data(as_text=True)
