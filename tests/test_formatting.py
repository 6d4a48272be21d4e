"""The formatting layer: money, numbers, sizes, times and labels as a reader sees them, in both languages."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.core import formatting as f


@pytest.fixture
def zh(app):
    with app.test_request_context("/?lang=zh_CN"):
        yield


@pytest.fixture
def en(app):
    with app.test_request_context("/?lang=en"):
        yield


@pytest.mark.parametrize("value, shown", [
    (500000.0, "500,000"), (98.0, "98"), (98.5, "98.5"), (0.125, "0.13"), (-0.0, "0"), (1234567.891, "1,234,567.89"),
    (None, "—"), ("", "—"), (3, "3"),
])
def test_numbers_have_separators_and_no_spurious_decimals(value, shown):
    assert f.format_number(value) == shown


def test_money_in_chinese_uses_yuan_wan_and_yi_only_where_exact(zh):
    assert f.format_money(5000) == "5,000 元"
    assert f.format_money(500000.0) == "50 万元"
    assert f.format_money(1_250_000) == "125 万元"
    assert f.format_money(123_456) == "12.3456 万元"
    assert f.format_money(123_456.5) == "123,456.5 元"  # 万元 would need a fifth decimal: stay in 元
    assert f.format_money(300_000_000) == "3 亿元"
    assert f.format_money(1_000_000_000_000.0) == "10,000 亿元"
    assert f.format_money(None) == "—"
    assert f.format_money(1234567, minor_units=True) == "12,345.67 元"


def test_money_in_english_names_the_currency(en):
    assert f.format_money(500000.0) == "CNY 500,000"
    assert f.format_money(1234.5) == "CNY 1,234.5"
    assert f.format_money(1234567, minor_units=True, currency="cny") == "CNY 12,345.67"


def test_money_ranges(zh):
    assert f.format_money_range(100000, 500000) == "10 万元 – 50 万元"
    assert f.format_money_range(100000, None) == "10 万元起"
    assert f.format_money_range(None, 2000) == "最高 2,000 元"
    assert f.format_money_range(None, None) == "—"


def test_sizes_in_megabytes():
    assert f.format_size(10 * 1024 * 1024) == "10 MB"
    assert f.format_size(1536 * 1024) == "1.5 MB"
    assert f.format_size(12 * 1024) == "12 KB"
    assert f.format_size(300) == "0.3 KB"
    assert f.format_size(None) == "—"


def test_times_in_the_display_zone_labelled(app, zh):
    moment = datetime(2026, 11, 30, 16, 5, 7, 123456)  # naive UTC, as SQLite returns it
    assert f.format_datetime(moment) == "2026-12-01 00:05（北京时间）"
    assert f.format_datetime(moment.replace(tzinfo=UTC), with_zone=False, seconds=True) == "2026-12-01 00:05:07"
    assert f.format_datetime("2026-11-30T16:05:07+00:00", with_zone=False) == "2026-12-01 00:05"
    assert f.format_date(moment) == "2026-12-01"
    assert f.format_date(date(2027, 1, 2)) == "2027-01-02"
    assert f.format_date("2027-01-02") == "2027-01-02"
    assert f.format_datetime(None) == "—"


def test_times_follow_the_configured_zone(app, en, monkeypatch):
    assert f.format_datetime(datetime(2026, 1, 1, 0, 0)) == "2026-01-01 08:00 (Beijing time)"
    monkeypatch.setitem(app.config, "DISPLAY_TIMEZONE", "Europe/Berlin")
    assert f.format_datetime(datetime(2026, 1, 1, 0, 0)) == "2026-01-01 01:00 (Europe/Berlin)"


def test_labels_in_both_languages(app):
    from app.listings.models import ListingStatus

    with app.test_request_context("/?lang=zh_CN"):
        assert f.label("patent_type", "achievement") == "科技成果"
        assert f.label("status", ListingStatus.needs_revision) == "需整改"
        assert f.labels_of("coop_modes", ["assignment", "equity"]) == "转让、作价入股"
        assert f.field_label("verification_status") == "机构认证"
        assert f.label("region", "江苏") == "江苏"  # no label: the value itself
        assert f.label("maturity", None) == "—"
    with app.test_request_context("/?lang=en"):
        assert f.label("patent_type", "achievement") == "Research achievement"
        assert f.labels_of("coop_modes", ["assignment", "equity"]) == "Assignment, Equity contribution"


def test_audit_actions_are_labelled(app):
    from app.core.labels import audit_action_label

    with app.test_request_context("/?lang=zh_CN"):
        assert audit_action_label("organisation.verify") == "机构 · 通过认证"
        assert audit_action_label("patents.revise") == "专利 · 退回整改"
    with app.test_request_context("/?lang=en"):
        assert audit_action_label("demands.approve") == "Technology demand · Approve"


def test_ipc_labels_never_show_an_english_title_unmarked_in_chinese(app):
    with app.test_request_context("/?lang=zh_CN"):
        assert f.ipc_label("G", "PHYSICS") == "G 物理"
        assert f.ipc_label("H01M", "PROCESSES OR MEANS") == "H01M（电学） 英文标题：PROCESSES OR MEANS"
    with app.test_request_context("/?lang=en"):
        assert f.ipc_label("G", "PHYSICS") == "G PHYSICS"


def test_filters_are_registered_once_for_templates(app, zh):
    from flask import render_template_string

    shown = render_template_string("{{ 500000.0|money }} · {{ 98.0|number }} · {{ 'granted'|label('legal_status') }}"
                                   " · {{ 10485760|size }}")
    assert shown == "50 万元 · 98 · 有效（已授权） · 10 MB"


def test_any_stored_value_reads_without_python_literals(app, zh):
    assert f.format_value("price", 500000.0) == "50 万元"
    assert f.format_value("trl", 6.0) == "6"
    assert f.format_value("verification_status", "verified") == "已认证"
    assert f.format_value("coop_modes", ["assignment"]) == "转让"
    assert f.format_value("price_negotiable", True) == "是"
    assert f.format_value("moderation_note", None) == "—"
    assert f.format_value("indicators", [{"name": "纯度", "comparator": "gte", "value": 98.0, "unit": "%"}]) == "纯度 ≥ 98 %"
    assert f.format_value("updated_at", "2026-01-01T00:00:00") == "2026-01-01 08:00（北京时间）"
    for shown in (f.format_value("indicators", [{"name": "x", "comparator": "eq", "value": 1.0, "unit": None}]),
                  f.format_value("region", {"a": None})):
        assert "None" not in shown and "{'" not in shown and ".0" not in shown


@pytest.mark.parametrize("row, shown", [
    ({"comparator": "range", "value": 3.0, "value_max": 5.0, "unit": "mm"}, "3–5 mm"),
    ({"comparator": "lte", "value": 0.05, "unit": None}, "≤ 0.05"),
    ({"comparator": "eq", "value": 1200.0, "unit": "mAh"}, "1,200 mAh"),
    ({"comparator": "eq", "value": None}, "—"),
])
def test_indicators(row, shown):
    assert f.format_indicator(row) == shown


@pytest.mark.parametrize("path, status, title", [("/no-such-page", 404, "页面不存在"), ("/patents/999999", 404, "页面不存在"),
                                                 ("/admin/moderation", 302, None)])
def test_error_pages_are_translated(client, path, status, title):
    page = client.get(path)
    assert page.status_code == status
    if title:
        assert title in page.text and "Not Found" not in page.text and "not found" not in page.text


def test_error_pages_in_english_and_for_server_errors(app, client, monkeypatch):
    client.post("/language/en")
    assert "Page not found" in client.get("/no-such-page").text
    from app.web import views

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.discovery, "search_listings", broken)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    page = client.get("/search/patents")
    assert page.status_code == 500 and "Something went wrong" in page.text and "boom" not in page.text


@pytest.mark.parametrize("status, zh_title, en_title", [(403, "无权访问", "No access"), (500, "出错了", "Something went wrong"),
                                                        (503, "服务暂不可用", "Temporarily unavailable")])
def test_every_error_page_has_a_title_in_both_languages(app, status, zh_title, en_title):
    from app.core.http_errors import render_error_page

    for query, title in (("zh_CN", zh_title), ("en", en_title)):
        with app.test_request_context(f"/?lang={query}"):
            body, code = render_error_page(status)
        assert code == status and f"<h1>{title}</h1>" in body
