"""Browser: a platform admin works one listing from the queue with the keyboard — the review page shows only the
field that really changed, the reasons field has the focus, Tab reaches the 整改 button — and the owner, who chose
English, reads the decision in English in their inbox; an org admin adds a colleague on the account page.

Screenshots: ``tests/e2e/screenshots/review-*.png`` (1280 px and 375 px) and ``members-account.png``.
"""
from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from app.accounts.models import Role, User
from app.accounts.service import hash_password
from app.core.extensions import db
from app.core.identity import Identity
from app.orgs.models import Organisation, OrgKind, VerificationStatus
from app.patents.service import patents_service
from tests.e2e.conftest import flash, log_in, screenshot
from tests.factories import patent_data

PASSWORD = "a browser password"


@pytest.fixture(scope="module")
def review_case(live):
    """A university (its admin reads English) with a published patent whose edits wait: a new title, and TRL,
    price and indicator re-sent in other types; and a platform admin."""
    tag = uuid.uuid4().hex[:6]
    with live.app.app_context():
        org = Organisation(name=f"浏览器测试大学{tag}", kind=OrgKind.university, region="上海",
                           verification_status=VerificationStatus.verified)
        platform = Organisation(name=f"浏览器测试平台{tag}", kind=OrgKind.platform)
        owner = User(email=f"owner-{tag}@example.cn", display_name="Owner", organisation=org, role=Role.org_admin,
                     password_hash=hash_password(PASSWORD), locale="en")
        admin = User(email=f"admin-{tag}@example.cn", display_name="审核员", organisation=platform,
                     role=Role.platform_admin, password_hash=hash_password(PASSWORD))
        db.session.add_all([org, platform, owner, admin])
        db.session.commit()
        patent = patents_service.create(Identity.system(), patent_data(title=f"高镍正极材料{tag}", trl=6, price=500000.0),
                                        org=org)
        patents_service.submit(Identity.of(owner), patent.id)
        patents_service.moderate(Identity.system(), patent.id, "approve")
        patents_service.update(Identity.of(owner), patent.id, {
            "title": f"高镍正极材料（改进版）{tag}", "trl": "6", "price": 500000,
            "indicators": [{"name": "能量密度", "comparator": "eq", "value": "300", "unit": "Wh/kg"}]})
        return {"patent_id": patent.id, "owner": owner.email, "admin": admin.email, "org": org.name, "tag": tag}


def test_an_admin_returns_edits_by_keyboard_and_the_owner_reads_why_in_english(live, review_case, page, browser):
    url, patent_id = live.url, review_case["patent_id"]
    log_in(page, url, review_case["admin"], PASSWORD)
    page.goto(f"{url}/admin/moderation")
    page.locator(f"a[href='/admin/moderation/patents/{patent_id}']").click()
    page.wait_for_url(f"**/admin/moderation/patents/{patent_id}")
    rows = page.locator("#pending-diff tbody tr")
    expect(rows).to_have_count(1)  # TRL, price, indicator: no change
    expect(rows.first.locator("th")).to_have_text("标题")
    expect(page.locator("#reason")).to_be_focused()
    screenshot(page, "review-diff-1280")
    page.set_viewport_size({"width": 375, "height": 800})
    for box in ("#pending-diff", "#decision-form"):  # this page's own blocks fit a phone (the header is the layout's)
        assert page.locator(box).bounding_box()["width"] <= 375
    screenshot(page, "review-diff-375")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.focus("#reason")
    page.keyboard.type("标题中的“改进版”缺少依据，请补充对比数据。")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_attribute("value", "revise")
    page.keyboard.press("Enter")
    expect(flash(page)).to_contain_text("退回整改")

    page.goto(f"{url}/admin/moderation/patents/{patent_id}")
    expect(page.locator("#nothing-awaits")).to_be_visible()
    expect(page.locator("#decision-form")).to_have_count(0)

    owner = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900}).new_page()
    log_in(owner, url, review_case["owner"], PASSWORD)
    owner.goto(f"{url}/notifications")
    note = owner.locator("article.notification").first
    expect(note).to_contain_text("were not accepted and are discarded")
    expect(note).to_contain_text("Moderator's note: 标题中的“改进版”缺少依据")
    screenshot(owner, "review-owner-notified-en")
    owner.locator("article.notification a").first.click()
    owner.wait_for_url(f"**/my/patents/{patent_id}/edit")
    owner.context.close()


def test_an_org_admin_adds_a_colleague_on_the_account_page(live, review_case, page):
    log_in(page, live.url, review_case["owner"], PASSWORD)
    page.goto(f"{live.url}/account")
    page.fill("#input-email", "not-an-address")
    page.fill("#input-display_name", "王工")
    page.click("#member-form button[type=submit]")
    expect(page.locator("#field-email .field-error")).to_have_count(1)  # the message stands next to the field
    page.fill("#input-email", f"wang-{review_case['tag']}@example.cn")
    page.select_option("#input-role", "broker")
    page.click("#member-form button[type=submit]")
    expect(flash(page)).to_be_visible()
    row = page.locator("#members tr", has_text="王工")
    expect(row).to_have_count(1)
    expect(row.locator(".badge")).to_have_count(1)  # invitation sent
    screenshot(page, "members-account")
