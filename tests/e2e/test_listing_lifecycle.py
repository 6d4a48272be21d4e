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
from tests.e2e.conftest import screenshot

DEMO_PASSWORD = "techbridge-demo"
ADMIN = "admin@demo.techbridge.cn"
BUYER = "buyer@demo.techbridge.cn"


@pytest.fixture(scope="module")
def market(live):
    """The live site with the demo market (its platform admin and enterprise buyer)."""
    result = live.app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return live


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


def log_in(page, url: str, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{url}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("form.card button[type=submit]")
    page.wait_for_selector("header .who")


def flash(page) -> str:
    return " ".join(page.locator("p.flash").all_inner_texts())


def decide(admin, patent_id: int, decision: str, reason: str = "", shot: str | None = None) -> None:
    """The admin selects the patent in the review queue and applies ``decision``."""
    admin.click("nav.admin-nav a:text('审核队列')")
    admin.check(f"input[name=items][value='patents:{patent_id}']")
    admin.check(f"input[name=decision][value={decision}]")
    admin.fill("#reason", reason)
    if shot:
        screenshot(admin, shot)
    admin.click("#decide")
    assert "已处理 1 条信息" in flash(admin)


def test_a_patent_goes_from_registration_through_revision_to_search(market, page, other_page):
    url = market.url
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
    assert "两次输入的密码不一致" in page.inner_text("#field-password_confirm")
    assert page.input_value("input[name=org_name]") == org_name
    screenshot(page, "lifecycle-01-register-error")
    page.fill("input[name=password]", "石墨烯-transfer-2024")
    page.fill("input[name=password_confirm]", "石墨烯-transfer-2024")
    page.click("#register-form button.primary")
    # The answer never says whether the address had an account (no enumeration): log in as told.
    page.wait_for_url("**/login")
    assert email in flash(page)
    log_in(page, url, email, "石墨烯-transfer-2024")
    page.goto(f"{url}/account")
    assert "王老师" in page.inner_text("header")
    assert page.inner_text("#verification-status") == "未认证"

    # 2. It asks for verification; a wrong check character is a form message, then the right code goes in.
    code = credit_code()
    page.fill("input[name=credit_code]", wrong_check_character(code))
    page.click("#verification-form button.primary")
    assert "校验码不正确" in page.inner_text("#field-credit_code")
    screenshot(page, "lifecycle-02-verification-wrong-check-character")
    page.fill("input[name=credit_code]", code)
    page.click("#verification-form button.primary")
    assert page.inner_text("#verification-status") == "认证审核中"
    screenshot(page, "lifecycle-03-account-pending")

    # 3. The platform admin verifies the organisation.
    admin = other_page()
    log_in(admin, url, ADMIN)
    admin.click("header a:text('管理后台')")
    admin.click("nav.admin-nav a:text('机构认证')")
    request = admin.locator("section.org-request", has_text=org_name)
    assert code in request.inner_text()
    screenshot(admin, "lifecycle-04-verification-queue")
    request.locator("button[value=verify]").click()
    assert "已通过认证" in flash(admin)

    # 4. The TTO posts a patent with two indicator rows (one a range, added in the form) and submits it.
    page.reload()
    assert page.inner_text("#verification-status") == "已认证"
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
    assert "已保存为草稿" in flash(page)
    patent_id = int(re.search(r"/my/patents/(\d+)/edit", page.url)[1])
    assert page.locator("input[name=indicators-name]").count() == 2
    page.click("button:text('提交审核')")
    assert "已提交审核" in flash(page) and "待审核" in page.inner_text(".status-card")

    # 5. The admin sends it back for revision (整改) with reasons.
    decide(admin, patent_id, "revise", "请补充厚度指标的测试标准，并说明中试规模。", "lifecycle-06-review-queue")

    # 6. The TTO reads the reasons in "My listings", fixes the patent and submits it again.
    page.click("header a:text('我的发布')")
    row = page.locator(f"#my-listings tr[data-id='{patent_id}']")
    assert "需整改" in row.inner_text() and "请补充厚度指标的测试标准" in row.inner_text()
    screenshot(page, "lifecycle-07-my-listings-needs-revision")
    row.locator("a:text('编辑')").click()
    page.fill("input[name=indicators-unit] >> nth=1", "μm（GB/T 6672-2001）")
    page.fill("textarea[name=claims]", "一种石墨烯复合散热膜，已在年产 5 万平方米的中试线上验证。")
    page.click("#save")
    assert flash(page) == "已保存。"
    screenshot(page, "lifecycle-08-fixed-patent")
    page.click("button:text('提交审核')")
    assert "待审核" in page.inner_text(".status-card")

    # 7. The admin approves it; the audit log shows both decisions.
    decide(admin, patent_id, "approve")
    admin.click("nav.admin-nav a:text('审计日志')")
    audit = admin.inner_text("#audit-log")
    assert "专利 · 通过" in audit and "专利 · 退回整改" in audit and "机构 · 通过认证" in audit  # labels, not codes
    screenshot(admin, "lifecycle-09-audit-log")
    admin.click("nav.admin-nav a:text('市场数据')")
    assert admin.locator("#listings-by-status").count() == 1
    screenshot(admin, "lifecycle-10-dashboard")

    # 8. An enterprise user finds it published in search and reads its indicators.
    buyer = other_page()
    log_in(buyer, url, BUYER)
    buyer.goto(f"{url}/search/patents")
    buyer.fill("input[name=q]", title)
    with buyer.expect_navigation():  # read the results page, not the one the click leaves
        buyer.click("#search-form button[type=submit]")
    hit = buyer.locator(".hit", has_text=title)
    assert hit.count() == 1
    screenshot(buyer, "lifecycle-11-search")
    hit.locator("h3 a >> nth=0").click()  # the title (the organisation's name links to its profile)
    expect(buyer.locator("main")).to_contain_text("面内导热系数")  # wait for the page, not just its first paint
    body = buyer.inner_text("main")
    assert title in buyer.inner_text("h1") and "面内导热系数" in body and "GB/T 6672-2001" in body
    screenshot(buyer, "lifecycle-12-published-patent")

    page.click("header a:text('我的发布')")
    assert "已发布" in page.inner_text(f"#my-listings tr[data-id='{patent_id}']")
    screenshot(page, "lifecycle-13-my-listings-published")
    page.click("header button:text('English')")  # the same page in English
    assert page.inner_text("h1") == "My listings" and "Published" in page.inner_text("#my-listings")
    screenshot(page, "lifecycle-14-my-listings-english")
