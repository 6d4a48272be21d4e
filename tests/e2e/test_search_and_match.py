"""Browser: an enterprise user searches in Chinese, filters by region and maturity, opens a match and reads why."""
from __future__ import annotations

import pytest

from tests.e2e.conftest import screenshot


@pytest.fixture(scope="module")
def demo_market(live):
    result = live.app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return live


def test_enterprise_user_searches_filters_and_reads_why_a_patent_matched(demo_market, page):
    url = demo_market.url
    page.goto(f"{url}/login")
    page.fill("input[name=email]", "buyer@demo.techbridge.cn")
    page.fill("input[name=password]", "techbridge-demo")
    page.click("form.card button[type=submit]")
    assert "企业技术总监" in page.inner_text("header")

    page.goto(f"{url}/search/patents")
    page.type("input[name=q]", "基于深度")  # suggestions arrive as the user types
    # a selector wait, not wait_for_function: the CSP forbids the eval() Playwright polls a function with
    page.wait_for_selector("#suggestions option", state="attached")
    assert all(o.startswith("基于深度") or "基于深度" in o
               for o in page.eval_on_selector_all("#suggestions option", "els => els.map(e => e.value)"))
    page.fill("input[name=q]", "基于深度学习的图像缺陷检测")
    page.click("#search-form button[type=submit]")
    first_total = page.inner_text(".count")
    assert page.locator(".hit").count() > 0 and page.locator(".hit mark").count() > 0
    for legend in ("地区", "技术成熟度"):  # ticking a facet resubmits the form: wait for that page
        with page.expect_navigation():
            page.locator(f"fieldset:has(legend:text('{legend}')) input[type=checkbox]").first.check()
    assert page.inner_text(".count") != first_total
    assert "region=" in page.url and "maturity=" in page.url
    screenshot(page, "search-filtered")

    page.goto(f"{url}/search/demands")
    page.fill("input[name=q]", "钢板表面缺陷视觉检测")
    page.click("#search-form button[type=submit]")
    page.click(".hit h3 a >> nth=0")
    assert page.inner_text("h1") == "钢板表面缺陷视觉检测"
    first_match = page.locator(".match").first
    first_match.locator("summary").click()
    explanation = first_match.inner_text()
    assert "关键词匹配" in explanation and "（标题" in explanation  # which key phrase was found where, in words
    assert not any(code in explanation for code in ("lexical", "classification", "gte", "not_met"))
    assert page.locator(".matches h2").first.inner_text() == "匹配的专利"
    screenshot(page, "demand-matches-explained")
