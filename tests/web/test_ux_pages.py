"""Public pages as readers see them: every public field of a listing formatted and labelled, organisation
profiles, prices on search cards, and a reversed price range explained instead of "nothing found"."""
from __future__ import annotations

import re

import pytest

from tests.factories import make_listing


def text_of(html: str) -> str:
    """The visible text of a page (tags dropped, whitespace folded)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def patent(app_engine, university):
    return make_listing("patents", university, patent_type="invention", legal_status="granted",
                        application_date="2023-03-01", grant_date="2024-05-06", inventors=["张三", "李四"],
                        applicant="示范大学", price=500000.0,
                        indicators=[{"name": "纯度", "comparator": "gte", "value": 98.0, "unit": "%"}])


def test_a_patent_page_shows_every_public_field_labelled_and_formatted(client, patent):
    shown = text_of(client.get(f"/patents/{patent.id}").text)
    for expected in ("专利类型 发明专利", "法律状态 有效（已授权）", "申请日 2023-03-01", "授权日 2024-05-06",
                     "发明人 张三、李四", "转让、独占许可", "TRL（1–9） 6", "50 万元", "≥ 98 %", "示范大学技术转移中心"):
        assert expected in shown, expected
    for raw in ("500000.0", "98.0", "invention", "granted", "exclusive_licence"):
        assert raw not in shown, raw


def test_the_english_page_names_the_currency(client, patent):
    client.post("/language/en")
    shown = text_of(client.get(f"/patents/{patent.id}").text)
    assert "CNY 500,000" in shown and "Patent type Invention patent" in shown


def test_a_research_achievement_is_labelled_as_such(client, app_engine, university):
    achievement = make_listing("patents", university, patent_type="achievement", patent_number=None,
                               title="高强韧铝合金板材轧制工艺研究", abstract="")
    shown = text_of(client.get(f"/patents/{achievement.id}").text)
    assert "科技成果" in shown
    assert "法律状态" not in shown and "审中" not in shown  # no patent examination to report


def test_search_cards_show_the_price_or_budget(client, patent, enterprise):
    make_listing("demands", enterprise, budget_min=100000, budget_max=500000)
    assert "50 万元" in text_of(client.get("/search/patents?q=正极材料").text)
    assert "10 万元 – 50 万元" in text_of(client.get("/search/demands").text)


def test_a_reversed_price_range_says_so(client, patent):
    page = client.get("/search/patents?q=正极材料&price_min=900000&price_max=100000")
    assert page.status_code == 400
    shown = text_of(page.text)
    assert "上限（10 万元）低于下限（90 万元）" in shown
    assert "找不到结果" not in shown and "换个关键词" not in shown
    assert 'value="900000"' in page.text  # what the user typed stays in the box


def test_an_organisation_profile_lists_its_published_listings_and_how_to_contact(client, patent, university):
    make_listing("patents", university, status="draft", title="尚未提交的草稿专利")
    page = client.get(f"/orgs/{university.id}")
    assert page.status_code == 200
    shown = text_of(page.text)
    assert university.name in shown and patent.title in shown
    assert "尚未提交的草稿专利" not in shown
    assert "高校" in shown  # the kind, labelled
    assert 'id="contact"' in page.text and "/login?next=" in page.text
    assert client.get("/orgs/999999").status_code == 404
    listing = client.get(f"/patents/{patent.id}").text
    assert f'href="/orgs/{university.id}"' in listing


def test_the_owner_sees_which_version_of_a_demand_a_match_is(login, app_engine, university, enterprise, buyer_user):
    patent = make_listing("patents", university)
    make_listing("demands", enterprise, status="draft")
    make_listing("demands", enterprise, status="needs_revision")
    page = login(buyer_user).get(f"/patents/{patent.id}").text
    matches = page.split('class="matches"')[1] if 'class="matches"' in page else ""
    assert "草稿" in matches and "需整改" in matches


def test_a_demand_page_shows_every_public_field_labelled_and_formatted(client, enterprise):
    demand = make_listing("demands", enterprise, budget_min=500000, budget_max=2000000, valid_until="2031-06-30",
                          required_maturity="pilot", coop_modes=["assignment", "development"],
                          ipc=["H01M 4/525"], keywords=["正极", "高镍"], needs_pilot=True, needs_inspection=True)
    shown = text_of(client.get(f"/demands/{demand.id}").text)
    for expected in ("要求成熟度 中试", "合作方式 转让、技术开发", "预算 50 万元 – 200 万元", "有效期至 2031-06-30",
                     "IPC 分类号 H01M 4/525", "行业 新能源", "地区 江苏", "同时需要中试服务 是", "同时需要检验检测服务 是",
                     "关键词 正极、高镍", "≥ 280 Wh/kg", "发布日期"):
        assert expected in shown, expected
    for raw in ("500000", "pilot", "assignment", "True", "gte"):
        assert raw not in shown, raw


def test_a_service_page_shows_every_public_field_labelled_and_formatted(client, provider):
    offer = make_listing("services", provider, kind="inspection", price_from=20000.0, equipment="ICP-MS 电感耦合等离子体质谱仪",
                         capacity="每月 200 批次", price_basis="按检测项目计价", lead_time_days=7,
                         qualifications=[{"type": "CMA", "number": "CMA 2019123456"},
                                         {"type": "other", "number": "ISO 17025 证书 001"}])
    shown = text_of(client.get(f"/services/{offer.id}").text)
    for expected in ("服务类型 检验检测", "2 万元起", "设备 ICP-MS", "每月 200 批次", "按检测项目计价", "周期（天） 7天", "资质 CMA 2019123456、其他 ISO 17025 证书 001", "共沉淀、烧结、包覆", "行业 新能源", "地区 江苏"):
        assert expected in shown, expected
    for raw in ("20000", "inspection", "other", "CMA CMA"):
        assert raw not in shown, raw
