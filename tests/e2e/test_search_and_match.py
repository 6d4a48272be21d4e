"""Browser: an enterprise user searches in Chinese, filters by region and maturity, opens a match and reads why."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from app.demo.seed import DEMO_PASSWORD
from tests.e2e.conftest import log_in, screenshot

FACET_PARAMETERS = {"地区": "region", "技术成熟度": "maturity"}


def test_enterprise_user_searches_filters_and_reads_why_a_patent_matched(demo_market, page):
    url = demo_market.url
    log_in(page, url, "buyer@demo.techbridge.cn", DEMO_PASSWORD)
    expect(page.locator("header")).to_contain_text("企业技术总监")

    page.goto(f"{url}/search/patents")
    page.type("input[name=q]", "基于深度")  # suggestions arrive as the user types
    # there are suggestions, and every one holds what was typed (options, not a polled function: the CSP
    # forbids the eval() Playwright polls a function with)
    expect(page.locator("#suggestions option")).not_to_have_count(0)
    expect(page.locator("#suggestions option:not([value*='基于深度'])")).to_have_count(0)
    page.fill("input[name=q]", "基于深度学习的图像缺陷检测")
    page.click("#search-form button[type=submit]")
    page.wait_for_url(re.compile(r"/search/patents\?(.+&)?q="))
    first_total = page.inner_text(".count")  # a value to compare with, once the facets are ticked
    expect(page.locator(".hit")).not_to_have_count(0)
    expect(page.locator(".hit mark")).not_to_have_count(0)
    for legend in FACET_PARAMETERS:  # ticking a facet resubmits the form: wait for that page
        with page.expect_navigation():
            page.locator(f"fieldset:has(legend:text('{legend}')) input[type=checkbox]").first.check()
    expect(page.locator(".count")).not_to_have_text(first_total, use_inner_text=True)
    for parameter in FACET_PARAMETERS.values():  # both facets hold
        expect(page).to_have_url(re.compile(f"[?&]{parameter}="))
    screenshot(page, "search-filtered")

    page.goto(f"{url}/search/demands")
    page.fill("input[name=q]", "钢板表面缺陷视觉检测")
    page.click("#search-form button[type=submit]")
    page.wait_for_url(re.compile(r"/search/demands\?(.+&)?q="))  # the results, not the list the click leaves
    page.click(".hit h3 a >> nth=0")
    expect(page.locator("h1")).to_have_text("钢板表面缺陷视觉检测")
    first_match = page.locator(".match").first
    first_match.locator("summary").click()
    # the opened explanation as the user reads it (inner text: what the opened <details> shows)
    for words in ("关键词匹配", "（标题"):  # which key phrase was found where, in words
        expect(first_match).to_contain_text(words, use_inner_text=True)
    for code in ("lexical", "classification", "gte", "not_met"):
        expect(first_match).not_to_contain_text(code, use_inner_text=True)
    expect(page.locator(".matches h2").first).to_have_text("匹配的专利")
    screenshot(page, "demand-matches-explained")
