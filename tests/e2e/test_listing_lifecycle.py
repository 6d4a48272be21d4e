"""Browser: a TTO registers, the platform admin verifies the organisation, the TTO posts a patent with
technical indicators and submits it, the admin asks for revision (整改) with reasons, the TTO fixes and
resubmits it, the admin approves, and an enterprise user finds it published in search.

Every page of the way is saved under ``tests/e2e/screenshots/lifecycle-*.png`` for people to look at.
"""
from __future__ import annotations

import random
import re
import uuid

import pytest
from playwright.sync_api import expect
from stdnum.cn import uscc

from app.core.validators import application_check_char
from app.demo.seed import DEMO_PASSWORD
from tests.e2e.conftest import flash, log_in, screenshot

ADMIN = "admin@demo.techbridge.cn"
BUYER = "buyer@demo.techbridge.cn"


@pytest.fixture
def other_page(browser):
    """A second browser (its own cookies) for the platform admin, then a third for the enterprise user."""
    contexts = []

    def open_page():
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def credit_code() -> str:
    """A fresh valid unified social credit code (the check character computed as the standard says)."""
    base = "91320100" + "".join(random.choice("0123456789") for _ in range(9))
    return base + uscc.calc_check_digit(base)


def wrong_check_character(code: str) -> str:
    return code[:-1] + ("1" if code[-1] != "1" else "2")


def decide(admin, patent_id: int, decision: str, reason: str = "", shot: str | None = None) -> None:
    """The admin selects the patent in the review queue and applies ``decision``."""
    admin.click("nav.admin-nav a:text('审核队列')")
    admin.check(f"input[name=items][value='patents:{patent_id}']")
    admin.check(f"input[name=decision][value={decision}]")
    admin.fill("#reason", reason)
    if shot:
        screenshot(admin, shot)
    admin.click("#decide")
    expect(flash(admin)).to_contain_text("已处理 1 条信息")


def test_a_patent_goes_from_registration_through_revision_to_search(demo_market, page, other_page):
    url = demo_market.url
    suffix = uuid.uuid4().hex[:6]
    org_name = f"江南理工大学技术转移中心-{suffix}"
    title = f"一种石墨烯复合散热膜及其制备方法{suffix}"
    email = f"tto-{suffix}@jiangnan.example.cn"

    # 1. The TTO registers; a mistyped confirmation is a message next to the field and nothing is created.
    page.goto(f"{url}/register")
    page.fill("input[name=org_name]", org_name)
    page.select_option("select[name=org_kind]", "university")
    page.fill("input[name=region]", "江苏")
    page.fill("input[name=display_name]", "王老师")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", "石墨烯-transfer-2024")
    page.fill("input[name=password_confirm]", "something else entirely")
    page.click("#register-form button.primary")
    expect(page.locator("#field-password_confirm")).to_contain_text("两次输入的密码不一致")
    expect(page.locator("input[name=org_name]")).to_have_value(org_name)
    screenshot(page, "lifecycle-01-register-error")
    page.fill("input[name=password]", "石墨烯-transfer-2024")
    page.fill("input[name=password_confirm]", "石墨烯-transfer-2024")
    page.click("#register-form button.primary")
    # The answer never says whether the address had an account (no enumeration): log in as told.
    page.wait_for_url("**/login")
    expect(flash(page)).to_contain_text(email)
    log_in(page, url, email, "石墨烯-transfer-2024")
    page.goto(f"{url}/account")
    expect(page.locator("header")).to_contain_text("王老师")
    expect(page.locator("#verification-status")).to_have_text("未认证")

    # 2. It asks for verification; a wrong check character is a form message, then the right code goes in.
    code = credit_code()
    page.fill("input[name=credit_code]", wrong_check_character(code))
    page.click("#verification-form button.primary")
    expect(page.locator("#field-credit_code")).to_contain_text("校验码不正确")
    screenshot(page, "lifecycle-02-verification-wrong-check-character")
    page.fill("input[name=credit_code]", code)
    page.click("#verification-form button.primary")
    expect(page.locator("#verification-status")).to_have_text("认证审核中")
    screenshot(page, "lifecycle-03-account-pending")

    # 3. The platform admin verifies the organisation.
    admin = other_page()
    log_in(admin, url, ADMIN, DEMO_PASSWORD)
    admin.click("header a:text('管理后台')")
    admin.click("nav.admin-nav a:text('机构认证')")
    request = admin.locator("section.org-request", has_text=org_name)
    expect(request).to_contain_text(code)
    screenshot(admin, "lifecycle-04-verification-queue")
    request.locator("button[value=verify]").click()
    expect(flash(admin)).to_contain_text("已通过认证")

    # 4. The TTO posts a patent with two indicator rows (one a range, added in the form) and submits it.
    page.reload()
    expect(page.locator("#verification-status")).to_have_text("已认证")
    page.click("header a:text('我的发布')")
    page.click("#new-listing")
    digits = f"2023101{random.randint(0, 99999):05d}"
    page.fill("input[name=title]", title)
    page.fill("textarea[name=abstract]", "本发明公开了一种石墨烯复合散热膜，面内导热系数高，适用于芯片与动力电池的热管理。")
    page.fill("input[name=patent_number]", f"CN{digits}.{application_check_char(digits)}")
    page.fill("input[name=ipc]", "H01L 23/373, C01B 32/182")
    page.select_option("select[name=maturity]", "pilot")
    page.fill("input[name=trl]", "6")
    page.check("input[name=coop_modes][value=assignment]")
    page.check("input[name=coop_modes][value=exclusive_licence]")
    page.fill("input[name=industry]", "新材料")
    page.fill("input[name=keywords]", "石墨烯, 散热膜, 热管理")
    page.fill("input[name=indicators-name] >> nth=0", "面内导热系数")
    page.fill("input[name=indicators-value] >> nth=0", "1500")
    page.fill("input[name=indicators-unit] >> nth=0", "W/(m·K)")
    page.click("[data-add-row=indicators]")
    page.fill("input[name=indicators-name] >> nth=1", "厚度")
    page.select_option("select[name=indicators-comparator] >> nth=1", "range")
    page.fill("input[name=indicators-value] >> nth=1", "20")
    page.fill("input[name=indicators-value_max] >> nth=1", "50")
    page.fill("input[name=indicators-unit] >> nth=1", "μm")
    screenshot(page, "lifecycle-05-new-patent-form")
    page.click("#save")
    expect(flash(page)).to_contain_text("已保存为草稿")
    page.wait_for_url(re.compile(r"/my/patents/\d+/edit"))
    patent_id = int(re.search(r"/my/patents/(\d+)/edit", page.url)[1])
    expect(page.locator("input[name=indicators-name]")).to_have_count(2)
    page.click("button:text('提交审核')")
    expect(flash(page)).to_contain_text("已提交审核")
    expect(page.locator(".status-card")).to_contain_text("待审核")

    # 5. The admin sends it back for revision (整改) with reasons.
    decide(admin, patent_id, "revise", "请补充厚度指标的测试标准，并说明中试规模。", "lifecycle-06-review-queue")

    # 6. The TTO reads the reasons in "My listings", fixes the patent and submits it again.
    page.click("header a:text('我的发布')")
    row = page.locator(f"#my-listings tr[data-id='{patent_id}']")
    expect(row).to_contain_text("需整改")
    expect(row).to_contain_text("请补充厚度指标的测试标准")
    screenshot(page, "lifecycle-07-my-listings-needs-revision")
    row.locator("a:text('编辑')").click()
    page.fill("input[name=indicators-unit] >> nth=1", "μm（GB/T 6672-2001）")
    page.fill("textarea[name=claims]", "一种石墨烯复合散热膜，已在年产 5 万平方米的中试线上验证。")
    page.click("#save")
    expect(flash(page)).to_have_text("已保存。")
    screenshot(page, "lifecycle-08-fixed-patent")
    page.click("button:text('提交审核')")
    expect(page.locator(".status-card")).to_contain_text("待审核")

    # 7. The admin approves it; the audit log shows both decisions.
    decide(admin, patent_id, "approve")
    admin.click("nav.admin-nav a:text('审计日志')")
    for label in ("专利 · 通过", "专利 · 退回整改", "机构 · 通过认证"):  # labels, not codes
        expect(admin.locator("#audit-log")).to_contain_text(label)
    screenshot(admin, "lifecycle-09-audit-log")
    admin.click("nav.admin-nav a:text('市场数据')")
    expect(admin.locator("#listings-by-status")).to_have_count(1)
    screenshot(admin, "lifecycle-10-dashboard")

    # 8. An enterprise user finds it published in search and reads its indicators.
    buyer = other_page()
    log_in(buyer, url, BUYER, DEMO_PASSWORD)
    buyer.goto(f"{url}/search/patents")
    buyer.fill("input[name=q]", title)
    buyer.click("#search-form button[type=submit]")
    buyer.wait_for_url(re.compile(r"/search/patents\?(.+&)?q="))  # the results page, not the one the click leaves
    hit = buyer.locator(".hit", has_text=title)
    expect(hit).to_have_count(1)
    screenshot(buyer, "lifecycle-11-search")
    hit.locator("h3 a >> nth=0").click()  # the title (the organisation's name links to its profile)
    expect(buyer.locator("h1")).to_contain_text(title)
    expect(buyer.locator("main")).to_contain_text("面内导热系数")
    expect(buyer.locator("main")).to_contain_text("GB/T 6672-2001")
    screenshot(buyer, "lifecycle-12-published-patent")

    page.click("header a:text('我的发布')")
    expect(page.locator(f"#my-listings tr[data-id='{patent_id}']")).to_contain_text("已发布")
    screenshot(page, "lifecycle-13-my-listings-published")
    page.click("header button:text('English')")  # the same page in English
    expect(page.locator("h1")).to_have_text("My listings")
    expect(page.locator("#my-listings")).to_contain_text("Published")
    screenshot(page, "lifecycle-14-my-listings-english")
