"""Browser: a whole deal between a manufacturer and a university TTO, in real Chromium.

Inquiry from a demand's match → NDA (confidential details unlock) → offer → counter-offer → accept → pilot test
booked, planned and passed → inspection report uploaded → contract generated and signed by both → a platform
admin approves from the deal desk → the buyer pays through Stripe (a real localstripe server; 3-D Secure is
completed in the browser with localstripe's Stripe.js) → the seller confirms delivery → the buyer confirms
receipt, which releases the money → registration export. Screenshots of every step go to tests/e2e/screenshots/.
"""
from __future__ import annotations

import io
import json
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader, PdfWriter
from sqlalchemy import select

from app.accounts.models import Role
from app.core.extensions import db
from app.deals.models import Deal
from app.deals.service import deals_service
from app.orgs.models import OrgKind
from app.payments import service as payments
from tests.e2e.conftest import log_in, screenshot, submit
from tests.factories import PASSWORD, OrganisationFactory, UserFactory, make_listing
from tests.payments.fixtures import SECRET_KEY, WEBHOOK_SECRET, LocalStripe

THREE_D_SECURE_CARD = "4000002500003155"


@pytest.fixture
def market(live, localstripe_server, monkeypatch):
    """Two parties, a pilot base, a lab and a platform admin on the live server, paying through localstripe."""
    for key, value in {"STRIPE_SECRET_KEY": SECRET_KEY, "STRIPE_API_BASE": localstripe_server,
                       "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET, "STRIPE_PUBLISHABLE_KEY": "pk_test_localstripe",
                       "STRIPE_JS_URL": f"{localstripe_server}/js.stripe.com/v3/"}.items():
        monkeypatch.setitem(live.app.config, key, value)
    with live.app.app_context():
        seller_org = OrganisationFactory(kind=OrgKind.university, name="浙东示范大学技术转移中心",
                                         credit_code="91110000600037341L", region="浙江")
        buyer_org = OrganisationFactory(kind=OrgKind.enterprise, name="江南示范动力电池有限公司",
                                        credit_code="91310000MA1FL1MMXL", region="江苏")
        pilot_org = OrganisationFactory(kind=OrgKind.service_provider, name="苏南示范中试基地")
        lab_org = OrganisationFactory(kind=OrgKind.service_provider, name="苏南示范检验检测中心")
        platform = OrganisationFactory(kind=OrgKind.platform, name="技桥示范平台运营部")
        users = {
            "seller": UserFactory(organisation=seller_org, role=Role.org_admin, display_name="王老师（技术转移）",
                                  email="seller@e2e-deal.cn"),
            "buyer": UserFactory(organisation=buyer_org, role=Role.org_admin, display_name="李总（技术总监）",
                                 email="buyer@e2e-deal.cn"),
            "admin": UserFactory(organisation=platform, role=Role.platform_admin, display_name="平台审核员",
                                 email="admin@e2e-deal.cn"),
        }
        db.session.commit()
        patent = make_listing("patents", seller_org, title="一种高镍单晶正极材料的低温烧结制备方法",
                              keywords=["高镍", "单晶", "正极材料", "低温烧结"],
                              abstract="本发明公开一种高镍单晶正极材料的低温烧结制备方法，提高动力电池能量密度与循环寿命。")
        demand = make_listing("demands", buyer_org, title="动力电池高镍正极材料低温烧结技术",
                              description="需要高镍单晶正极材料的低温烧结工艺，提升动力电池能量密度到300Wh/kg。",
                              keywords=["高镍", "正极材料", "烧结"])
        pilot = make_listing("services", pilot_org, title="正极材料公斤级中试线")
        lab = make_listing("services", lab_org, kind="inspection", title="动力电池材料检验检测（CMA/CNAS）",
                           description="具备CMA、CNAS资质，提供电池材料能量密度、循环寿命等检测。")
        ids = {"patent": patent.id, "demand": demand.id, "pilot": pilot.id, "lab": lab.id,
               "emails": {role: user.email for role, user in users.items()}}
    return ids



def expect_status(page, status: str) -> None:
    """The deal page shows the deal in ``status``."""
    expect(page.locator(".wf-head .status")).to_have_attribute("data-status", status)


def expect_payment(page, status: str) -> None:
    """The deal page shows its payment in ``status``."""
    expect(page.locator("#payment-state")).to_have_attribute("data-status", status)


def fill_offer(page, *, upfront_fee: str, royalty_rate: str, due: str = "", conditions: str = "") -> None:
    """Fill the offer form: an exclusive licence for mainland China, five years, one milestone."""
    form = "#action-make_offer"
    page.select_option(f"{form} select[name=mode]", "exclusive_licence")
    for name, value in {"territory": "中国大陆", "field_of_use": "动力电池正极材料", "term_months": "60",
                        "upfront_fee": upfront_fee, "royalty_rate": royalty_rate, "milestones-0-title": "中试通过后",
                        "milestones-0-amount": "200000", "milestones-0-due": due}.items():
        page.fill(f"{form} input[name='{name}']", value)
    page.fill(f"{form} textarea[name=conditions]", conditions)


def report_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_a_whole_deal_in_the_browser(live, market, browser, page, localstripe_server):
    url = live.url
    contexts = [browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}) for _ in range(2)]
    seller, admin = (context.new_page() for context in contexts)
    buyer = page
    for who, browser_page in (("buyer", buyer), ("seller", seller), ("admin", admin)):
        log_in(browser_page, url, market["emails"][who], PASSWORD)

    # 1. The buyer starts from the matches of its demand and sends an inquiry.
    buyer.goto(f"{url}/deals/new?demand_id={market['demand']}")
    expect(buyer.locator("main")).to_contain_text("匹配的专利")
    screenshot(buyer, "deal-01-matches-of-my-demand")
    buyer.click(f"a.button[href*='patent_id={market['patent']}']")
    buyer.wait_for_url(re.compile(rf"/deals/new\?(.+&)?patent_id={market['patent']}(&|$)"))
    buyer.fill("#inquiry-form textarea[name=message]", "我司计划在江苏基地量产高镍单晶正极材料，希望洽谈独占许可，请提供技术资料。")
    buyer.click("#inquiry-form button[type=submit]")
    buyer.wait_for_url(re.compile(r"/deals/\d+/?$"))
    deal_url = buyer.url
    deal_id = int(deal_url.rstrip("/").split("/")[-1])
    expect_status(buyer, "inquiry")
    expect(buyer.locator("main")).to_contain_text("询价已发送给卖方")
    expect(buyer.locator("#confidential-locked")).to_be_visible()
    screenshot(buyer, "deal-02-inquiry-sent")

    # 2. The seller accepts and proposes an NDA; the buyer accepts it and sees the confidential details.
    seller.goto(deal_url)
    submit(seller, "action-accept")
    submit(seller, "action-propose_nda")
    buyer.goto(deal_url)
    expect(buyer.locator("#nda")).to_contain_text("保密协议")
    buyer.check("#action-accept_nda input[name=agree]")
    submit(buyer, "action-accept_nda")
    expect_status(buyer, "negotiation")
    expect(buyer.locator("#confidential-details")).to_contain_text("烧结温度曲线")
    screenshot(buyer, "deal-03-nda-accepted-confidential-unlocked")

    # 3. Offer, counter-offer, acceptance.
    fill_offer(buyer, upfront_fee="800000", royalty_rate="3", due="2027-06-30")
    submit(buyer, "action-make_offer")
    expect(buyer.locator("#upfront-fee")).to_have_text("80 万元")
    seller.goto(deal_url)
    fill_offer(seller, upfront_fee="1000000", royalty_rate="3.5", conditions="许可方提供工艺包与三个月驻厂技术指导。")
    submit(seller, "action-make_offer")
    screenshot(seller, "deal-04-counter-offer")
    buyer.goto(deal_url)
    submit(buyer, "action-accept_offer")
    expect_status(buyer, "agreed")
    expect(buyer.locator("#upfront-fee")).to_have_text("100 万元")
    screenshot(buyer, "deal-05-terms-agreed")

    # 4. Pilot-scale test: booked by the buyer, plan agreed by the seller, passed.
    buyer.select_option("#action-book_pilot select[name=service_offer_id]", str(market["pilot"]))
    buyer.fill("#action-book_pilot textarea[name=plan]", "在中试线上连续放大三批次（每批50公斤），验证低温烧结工艺的一致性。")
    submit(buyer, "action-book_pilot")
    seller.goto(deal_url)
    submit(seller, "action-agree_pilot_plan")
    buyer.goto(deal_url)
    buyer.fill("#action-pilot_passed textarea[name=results]", "三批次比容量均≥205mAh/g，能量密度达到300Wh/kg，一致性良好。")
    submit(buyer, "action-pilot_passed")
    expect_status(buyer, "agreed")
    expect(buyer.locator("main")).to_contain_text("结论：通过")
    screenshot(buyer, "deal-06-pilot-passed")

    # 5. Inspection: ordered, the lab's report uploaded with the verdict.
    buyer.select_option("#action-order_inspection select[name=service_offer_id]", str(market["lab"]))
    buyer.fill("#action-order_inspection textarea[name=plan]", "按GB/T 31484检测循环寿命与能量密度。")
    submit(buyer, "action-order_inspection")
    buyer.fill("#action-inspection_passed textarea[name=results]", "循环寿命2000次容量保持率92%，全部指标合格。")
    buyer.set_input_files("#action-inspection_passed input[name=report]",
                          files=[{"name": "检验检测报告.pdf", "mimeType": "application/pdf", "buffer": report_pdf()}])
    submit(buyer, "action-inspection_passed")
    expect(buyer.locator("main")).to_contain_text("检验检测报告.pdf")
    screenshot(buyer, "deal-07-inspection-report-uploaded")

    # 6. The contract: generated by the seller, signed by both (click-through).
    seller.goto(deal_url)
    submit(seller, "action-generate_contract")
    seller.check("#action-sign_contract input[name=agree]")
    submit(seller, "action-sign_contract")
    buyer.goto(deal_url)
    buyer.check("#action-sign_contract input[name=agree]")
    submit(buyer, "action-sign_contract")
    expect_status(buyer, "contract_review")
    expect(buyer.locator("#buyer-signature")).to_contain_text("李总")
    expect(buyer.locator("#seller-signature")).to_contain_text("王老师")
    screenshot(buyer, "deal-08-contract-signed-by-both")
    pdf = buyer.request.get(f"{url}/api/v1/deals/{deal_id}/contract.pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages).replace("\n", "")
    assert "技术许可合同" in text and "江南示范动力电池有限公司" in text and "1000000.00" in text.replace(" ", "")

    # 7. A platform admin approves from the deal desk.
    admin.goto(f"{url}/deals/desk")
    contract_link = admin.locator(f"#queue-contracts a[href='/deals/{deal_id}']")
    expect(contract_link).to_be_visible()
    screenshot(admin, "deal-09-admin-desk")
    contract_link.click()
    admin.wait_for_url(re.compile(rf"/deals/{deal_id}/?$"))
    submit(admin, "action-approve_contract")
    expect_status(admin, "awaiting_payment")

    # 8. The buyer pays through Stripe (localstripe): the card needs 3-D Secure, completed in the browser.
    buyer.goto(deal_url)
    buyer.click("#action-start_payment button[type=submit]")
    buyer.wait_for_url(re.compile("/payments/"))
    with live.app.app_context():
        deal = db.session.get(Deal, deal_id)
        payment = payments.payment_of(deal)
        assert payment.provider == "stripe" and payment.total == 105_000_000
        intent_id = payment.provider_ref
    # What the card element does in Stripe.js (localstripe's stand-in has none): attach the card to the intent.
    stripe = LocalStripe(localstripe_server)
    assert stripe.pay(intent_id, THREE_D_SECURE_CARD).status == "requires_action"
    screenshot(buyer, "deal-10-stripe-payment-page")
    buyer.click("#stripe-pay-form button[type=submit]")
    buyer.click("text=Complete authentication")  # localstripe's 3-D Secure dialog
    buyer.wait_for_url(f"{deal_url}*")
    expect_status(buyer, "paid")
    expect_payment(buyer, "held")
    screenshot(buyer, "deal-11-paid-held-by-platform")

    # 9. Delivery confirmed by the seller, receipt by the buyer: the money is released, the deal completes.
    seller.goto(deal_url)
    seller.fill("#action-deliver textarea[name=note]", "已交付工艺包、烧结曲线及操作规程，驻厂指导已排期。")
    submit(seller, "action-deliver")
    buyer.goto(deal_url)
    submit(buyer, "action-confirm_delivery")
    expect_status(buyer, "completed")
    expect_payment(buyer, "released")
    screenshot(buyer, "deal-12-completed-registration")

    # 10. The registration export.
    record = json.loads(buyer.request.get(f"{url}/api/v1/deals/{deal_id}/registration.json").body())
    assert record["contract_category"] == "技术许可合同" and record["buyer"]["credit_code"] == "91310000MA1FL1MMXL"
    assert record["amount"]["total"] == "1200000.00" and record["signing_date"]
    csv_text = buyer.request.get(f"{url}/api/v1/deals/{deal_id}/registration.csv").text()
    assert "合同编号" in csv_text and record["contract_number"] in csv_text
    seller.goto(f"{url}/deals/")
    screenshot(seller, "deal-13-my-deals")

    with live.app.app_context():
        # Every deal made through the site replays; the dashboards' demo history (seed-demo) is written as rows
        # without events and is left out.
        for deal in db.session.scalars(select(Deal).where(Deal.title.not_like("（演示数据）%"))):
            assert deals_service.replay(deal) == deal.status.value
        assert payments.payment_of(db.session.get(Deal, deal_id)).status.value == "released"
    for context in contexts:
        context.close()
