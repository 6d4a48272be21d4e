"""Browser: the admin dashboard and an organisation's dashboard draw their charts from the local Chart.js,
a filter narrows the figures, a chart's CSV downloads; screenshots at phone and desktop width."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from app.demo.seed import DEMO_PASSWORD
from tests.e2e.conftest import log_in, screenshots_at_both_widths


def _charts_drawn(page, count_at_least: int):
    # Chart.js sizes each canvas it draws on (a style attribute set from script, which the CSP allows).
    expect(page.locator(".chart-card canvas[style*='width']")).to_have_count(
        page.locator(".chart-card canvas").count())
    assert page.locator(".chart-card canvas").count() >= count_at_least


def _download_csv(page, card: str) -> str:
    with page.expect_download() as info:
        page.click(f"{card} .csv-link")
    return open(info.value.path(), encoding="utf-8-sig").read()


def _both_widths(page, name: str):
    expect(page.locator(".chart-card canvas").first).to_be_visible()
    screenshots_at_both_widths(page, name)


def test_admin_dashboard_filter_and_csv(demo_market, page):
    url = demo_market.url
    errors, missing = [], []
    page.on("console", lambda m: m.type == "error" and "Failed to load resource" not in m.text
            and errors.append(m.text))
    page.on("response", lambda r: r.status == 404 and missing.append(r.url))
    log_in(page, url, "admin@demo.techbridge.cn", DEMO_PASSWORD)
    page.goto(f"{url}/admin/dashboard")
    expect(page.locator("#chart-funnel h2")).to_have_text("交易漏斗")
    _charts_drawn(page, 8)
    page.select_option("#f-region", "上海")
    with page.expect_navigation():
        page.click("#figure-filters button[type=submit]")
    expect(page).to_have_url(re.compile(r"region=%E4%B8%8A%E6%B5%B7"))
    expect(page.locator("#f-region")).to_have_value("上海")
    _charts_drawn(page, 8)
    csv = _download_csv(page, "#chart-volume-type")
    assert csv.splitlines()[0] == "合同类型,合同数,合同金额,实付金额" and "技术开发" in csv
    _both_widths(page, "figures-admin")
    page.fill("#f-start", "2025-06-01")
    page.fill("#f-end", "2025-01-01")
    page.click("#figure-filters button[type=submit]")
    expect(page.locator(".field.has-error .field-error")).to_have_text("开始日期晚于结束日期。")
    assert errors == [] and missing == []


def test_organisation_dashboard_filter_and_csv(demo_market, page):
    url = demo_market.url
    log_in(page, url, "tto@demo.techbridge.cn", DEMO_PASSWORD)
    page.goto(f"{url}/my/dashboard")
    expect(page.locator("h1")).to_contain_text("数据看板")
    expect(page.locator("#royalty-reports-due")).to_contain_text("暂无待处理的提成报告")
    _charts_drawn(page, 2)
    page.fill("#f-start", "2025-06-01")
    with page.expect_navigation():
        page.click("#figure-filters button[type=submit]")
    expect(page).to_have_url(re.compile(r"start=2025-06-01"))
    csv = _download_csv(page, "#chart-listings")
    assert csv.splitlines()[0] == "类型,成果与需求,浏览量"
    _both_widths(page, "figures-org")
