"""Browser: a royalty licence paid through its payment schedule, in real Chromium (phone and desktop widths).

The deal is made through the services (the deal walk tests those pages); the browser shows the deal page's
"付款计划" section, the licensee files a royalty report with its PDF evidence, the licensor accepts it, and the
university's finance office reads the distribution statements and downloads them as CSV. Screenshots of each
step go to tests/e2e/screenshots/.
"""
from __future__ import annotations

from playwright.sync_api import expect

from app.core.extensions import db
from app.payments import service as payments
from app.schedules import distribution
from app.schedules.models import ItemKind
from app.schedules.service import schedule_service
from tests.deals.conftest import build_market, pdf_upload
from tests.e2e.conftest import log_in, screenshot, submit
from tests.factories import PASSWORD
from tests.schedules.conftest import item_act, items, scheduled_deal
from tests.schedules.test_schedule import RULE


def test_payment_schedule_royalty_report_and_distribution(live, browser):
    with live.app.app_context():
        market = build_market(credit_codes=None)  # the live site is shared with the other browser tests
        db.session.commit()
        distribution.set_rule(market.identity("seller"), RULE)
        deal = scheduled_deal(market)
        first = items(deal, ItemKind.instalment)[0]
        item_act(market, "buyer", first, "start_payment")
        payments.confirm_test_payment(market.identity("buyer"), payments.payment_of(first).id)
        item_act(market, "buyer", first, "release")
        royalty = items(deal, ItemKind.royalty)[0]
        deal_id, royalty_id = deal.id, royalty.id
        buyer_email, seller_email = market.buyer.email, market.seller.email

    context = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 800})
    buyer = context.new_page()
    log_in(buyer, live.url, buyer_email, PASSWORD)
    buyer.goto(f"{live.url}/deals/{deal_id}")
    section = buyer.locator("#payment-schedule")
    expect(section).to_contain_text("付款计划")
    expect(section).to_contain_text("第1期分期款")
    assert buyer.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(buyer, "schedule-01-deal-section-375")

    buyer.goto(f"{live.url}/schedule-items/{royalty_id}")
    buyer.fill("#action-file_report input[name=sales]", "200000")
    buyer.set_input_files("#action-file_report input[name=evidence]",
                          files=[{"name": "销售报表.pdf", "mimeType": "application/pdf",
                                  "buffer": pdf_upload().stream.read()}])
    submit(buyer, "action-file_report")
    expect(buyer.locator("#item-amount")).to_contain_text("1 万元")
    screenshot(buyer, "schedule-02-royalty-report-filed-375")
    context.close()

    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    seller = context.new_page()
    log_in(seller, live.url, seller_email, PASSWORD)
    seller.goto(f"{live.url}/schedule-items/{royalty_id}")
    submit(seller, "action-accept_report")
    expect(seller.locator(".wf-head .status")).to_contain_text("待支付")
    seller.goto(f"{live.url}/deals/{deal_id}")
    expect(seller.locator("#payment-schedule")).to_contain_text("提成")
    screenshot(seller, "schedule-03-deal-section-1280")
    seller.goto(f"{live.url}/distribution/")
    expect(seller.locator("#statements")).to_contain_text("发明人团队")
    screenshot(seller, "schedule-04-distribution-1280")
    with seller.expect_download() as download:
        seller.click("#statements-csv")
    text = open(download.value.path(), encoding="utf-8-sig").read()
    assert text.startswith("单号,") and "材料学院" in text  # headers in the reader's language
    context.close()
    with live.app.app_context():
        royalty = db.session.get(schedule_service.model, royalty_id)
        assert schedule_service.events_of(royalty)[-1].action == "accept_report"
