"""Search, listing and notification pages over HTTP: sort, price range, pages, bad filters, saving a search,
similar patents, and the inbox — with forbidden access tried as well."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.core.extensions import db
from app.matching.models import SavedSearch
from app.notifications.models import Notification
from tests.factories import PASSWORD, make_listing


@pytest.fixture
def patents(app_engine, university):
    rows = [make_listing("patents", university, external_id=f"P-{n}", title=f"一种正极材料的制备方法（第{n}号）",
                         price=100_000 * (n + 1), region="江苏" if n % 2 else "上海") for n in range(23)]
    rows.append(make_listing("patents", university, status="draft", external_id="P-DRAFT", title="草稿：正极材料"))
    return rows


def saved_searches() -> list[SavedSearch]:
    return list(db.session.scalars(select(SavedSearch)))  # SavedSearch.query is its own column


def login(client, user):
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302


def test_sort_by_price_range_and_pages(client, patents):
    page = client.get("/search/patents?q=正极材料&sort=price_desc&price_max=1000000")
    assert page.status_code == 200
    assert 'class="count">共 10 条结果<' in page.text  # prices 100,000 … 1,000,000 (inclusive)
    titles = [line for line in page.text.split("\n") if "制备方法（第" in line]
    assert "第9号" in titles[0]  # the dearest under 1,000,000 comes first
    first = client.get("/search/patents?q=正极材料")
    assert 'rel="next"' in first.text and "草稿" not in first.text
    second = client.get("/search/patents?q=正极材料&page=2")
    assert 'rel="prev"' in second.text and 'rel="next"' not in second.text


def test_bad_filters_are_named_and_ignored_not_500(client, patents):
    page = client.get("/search/patents?q=正极材料&price_min=-5&sort=random&page=0")
    assert page.status_code == 400
    for field in ("起价", "排序", "页码"):  # the fields' labels, not their parameter names
        assert f"{field}:" in page.text
    assert "制备方法" in page.text  # the rest of the search still ran


def test_suggestions_come_from_visible_titles_only(client, patents):
    body = client.get("/api/v1/search/patents/suggest?q=一种正极").get_json()
    assert body["suggestions"] and all("草稿" not in s for s in body["suggestions"])
    assert 'data-suggest="/api/v1/search/patents/suggest"' in client.get("/search/patents").text


def test_saving_a_search_from_the_page_and_reading_it_in_the_inbox(client, patents, buyer_user):
    assert "Save search" not in client.get("/search/patents").text and "保存搜索" not in client.get("/search/patents").text
    assert client.post("/search/patents/save?q=正极材料&region=江苏", data={"name": "江苏正极"}).status_code == 302
    assert len(saved_searches()) == 0  # anonymous: sent to the login page, nothing saved
    login(client, buyer_user)
    saved = client.post("/search/patents/save?q=正极材料&region=江苏&price_min=-1", data={"name": "江苏正极"})
    assert saved.status_code == 302
    [search] = saved_searches()
    assert (search.query, search.filters) == ("正极材料", {"region": ["江苏"]})  # the bad range was dropped
    refused = client.post("/search/patents/save?q=x", data={"name": ""}, follow_redirects=True)
    assert "flash error" in refused.text and len(saved_searches()) == 1
    inbox = client.get("/notifications")
    assert inbox.status_code == 200 and "江苏正极" in inbox.text


def test_the_inbox_marks_read_and_stays_private(client, buyer_user, tto_user):
    from app.core.uow import UnitOfWork
    from app.notifications import service

    with UnitOfWork() as uow:
        service.notify([buyer_user], "x", "买方的通知", email=False, uow=uow)
        service.notify([tto_user], "x", "卖方的通知", email=False, uow=uow)
    assert client.get("/notifications").status_code == 302
    login(client, buyer_user)
    page = client.get("/notifications")
    assert "买方的通知" in page.text and "卖方的通知" not in page.text
    assert client.post("/notifications").status_code == 302
    assert Notification.query.filter_by(user_id=buyer_user.id, read_at=None).count() == 0
    assert Notification.query.filter_by(user_id=tto_user.id, read_at=None).count() == 1


def test_a_patent_page_shows_similar_patents_but_never_drafts(client, patents):
    page = client.get(f"/patents/{patents[0].id}")
    assert page.status_code == 200
    similar = page.text.split('class="similar"')[1]
    assert "制备方法（第" in similar and "草稿" not in similar
    assert client.get(f"/patents/{patents[-1].id}").status_code == 404  # the draft itself


def test_a_listing_pages_related_sections_are_reused_until_a_listing_changes(client, patents, university, monkeypatch):
    from app.discovery import service as discovery
    from app.indexing.service import drain

    calls = []
    real_similar = discovery.similar
    monkeypatch.setattr(discovery, "similar", lambda *a, **k: calls.append(1) or real_similar(*a, **k))
    first = client.get(f"/patents/{patents[0].id}").text
    again = client.get(f"/patents/{patents[0].id}").text
    assert len(calls) == 1 and again.split('class="similar"')[1] == first.split('class="similar"')[1]
    make_listing("patents", university, external_id="P-NEW", title="一种正极材料的制备方法（新增）")
    drain()
    assert client.get(f"/patents/{patents[0].id}").status_code == 200
    assert len(calls) == 2  # ranked and rendered again
    english = client.get(f"/patents/{patents[0].id}", headers={"Accept-Language": "en"}).text
    assert len(calls) == 3 and "Similar patents" in english
