"""Browser: a patent auctioned between two bidders (deposits paid, a bid in the last minutes extends the end, the
room refreshes itself, the close opens the winner's deal) and an open licence bought in one checkout, in real
Chromium at phone (375 px) and desktop (1280 px) width. Screenshots go to tests/e2e/screenshots/."""
from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.accounts.models import Role
from app.core.extensions import db
from app.core.identity import Identity
from app.core.models import utcnow
from app.orgs.models import OrgKind
from app.sales.models import Sale
from app.sales.service import sales_service
from tests.e2e.conftest import log_in, pay_on_the_test_page, screenshot, submit
from tests.factories import PASSWORD, OrganisationFactory, UserFactory, make_listing

PHONE = {"width": 375, "height": 812}


@pytest.fixture
def market(live):
    """A university selling two patents (one by auction ending in three minutes, one by open licence) and two
    verified enterprises; payments through the embedded test provider."""
    with live.app.app_context():
        seller_org = OrganisationFactory(kind=OrgKind.university, name="东海示范大学技术转移中心")
        seller = UserFactory(organisation=seller_org, role=Role.org_admin, email="seller@e2e-sales.cn")
        emails = {}
        for key, name in (("a", "甲示范新能源有限公司"), ("b", "乙示范材料科技有限公司")):
            org = OrganisationFactory(kind=OrgKind.enterprise, name=name)
            emails[key] = UserFactory(organisation=org, role=Role.org_admin, email=f"{key}@e2e-sales.cn").email
        db.session.commit()
        auctioned = make_listing("patents", seller_org, title="一种固态电解质薄膜的连续涂布方法")
        licensed = make_listing("patents", seller_org, title="一种锂电池极片缺陷的视觉检测方法")
        owner = Identity.of(seller)
        auction = sales_service.create(owner, {
            "kind": "auction", "patent_id": auctioned.id, "price": "300000.00", "increment": "10000.00",
            "deposit": "30000.00", "reserve_price": "320000.00",
            "ends_at": (utcnow() + timedelta(minutes=3)).isoformat(), "terms": {"field_of_use": "固态电池"}})
        licence = sales_service.create(owner, {
            "kind": "open_licence", "patent_id": licensed.id, "price": "50000.00",
            "terms": {"term_months": 36, "royalty_rate": "1.5", "field_of_use": "锂电池生产检测"}})
        return {"emails": emails, "auction": auction.id, "licence": licence.id, "licensed_patent": licensed.id}



def test_an_auction_with_an_extension_and_an_open_licence(live, market, browser):
    url = live.url
    pages = {}
    for key in ("a", "b"):
        pages[key] = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
        log_in(pages[key], url, market["emails"][key], PASSWORD)
    a, b = pages["a"], pages["b"]
    room = f"{url}/auctions/{market['auction']}"

    # Both find the auction on /auctions, register and pay their deposits.
    a.goto(f"{url}/auctions")
    expect(a.locator("#sale-list")).to_contain_text("一种固态电解质薄膜的连续涂布方法")
    with a.expect_navigation():
        a.click(f"a.sale-card[href$='/auctions/{market['auction']}']")
    for page in (a, b):
        page.goto(room)
        submit(page, "form-register_bidder")
        pay_on_the_test_page(page)
        expect(page.locator("#my-status")).to_contain_text("已报名竞买")
    expect(a.locator("#my-status")).to_contain_text("竞买人1")
    expect(b.locator("#my-status")).to_contain_text("竞买人2")

    # A bids the opening price; the auction is in its last minutes, so the end moves out by five minutes.
    ends_before = a.inner_text("#ends-at")
    a.fill("#bid-amount", "300000")
    submit(a, "form-place_bid")
    expect(a.locator("#bid-history")).to_contain_text("已延时")
    expect(a.locator("#ends-at")).not_to_have_text(ends_before)
    expect(a.locator("#leading")).to_contain_text("领先")

    # B's room reloads itself (polling) with A's bid — a goto here would race that reload — and B outbids;
    # A's room refreshes the same way and shows it, anonymised.
    expect(b.locator("#bid-history")).to_contain_text("竞买人1", timeout=15000)
    b.fill("#bid-amount", "330000")
    submit(b, "form-place_bid")
    expect(a.locator("#current-price")).to_contain_text("33", timeout=15000)
    expect(a.locator("#bid-history")).to_contain_text("竞买人2")
    assert "乙示范" not in a.inner_text("#bid-history")
    screenshot(a, "sales-01-auction-room-1280")
    a.set_viewport_size(PHONE)
    screenshot(a, "sales-02-auction-room-375")

    # Time is up: the scheduled close runs; B wins, its deal waits at the contract stage.
    with live.app.app_context():
        sale = db.session.get(Sale, market["auction"])
        sale.ends_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        assert sales_service.close_due() == [market["auction"]]
    b.goto(room)
    expect(b.locator("#status-label")).to_have_text("已成交")
    with b.expect_navigation():
        b.click("text=查看交易")
    expect(b.locator(".wf-head .status")).to_have_attribute("data-status", "agreed")
    screenshot(b, "sales-03-winner-deal-1280")

    # A takes an open licence in one checkout and pays at once.
    a.goto(f"{url}/open-licences")
    with a.expect_navigation():
        a.click(f"a.sale-card[href$='/open-licences/{market['licence']}']")
    expect(a.locator("#checkout")).to_contain_text("许可费")
    screenshot(a, "sales-04-open-licence-checkout-375")
    a.set_viewport_size({"width": 1280, "height": 900})
    screenshot(a, "sales-05-open-licence-checkout-1280")
    submit(a, "form-take_licence")
    expect(a.locator(".wf-head .status")).to_have_attribute("data-status", "awaiting_payment")
    submit(a, "action-start_payment")
    pay_on_the_test_page(a)
    expect(a.locator(".wf-head .status")).to_have_attribute("data-status", "paid")
    a.goto(f"{url}/patents/{market['licensed_patent']}")
    expect(a.locator("#open-licence-count")).to_contain_text("1")
    screenshot(a, "sales-06-patent-page-open-licences-1280")
