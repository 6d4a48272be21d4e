"""Search through the application: permissions inside the engine query, the outbox, the HTTP API."""
from __future__ import annotations

from datetime import timedelta

import pytest

from app.core.formatting import local_today
from app.core.identity import Identity
from app.discovery import service as discovery
from app.indexing import service as indexing
from app.indexing.models import SearchOutbox
from app.patents.service import patents_service
from search.engine import EngineUnavailable
from tests.factories import identity_of, make_listing

SECRET_WORD = "绝密钙钛矿叠层工艺"
DRAFT_WORD = "草稿氢燃料电池双极板"


@pytest.fixture
def market(app_engine, university, enterprise, tto_user):
    """One published patent (with a confidential detail), one draft, one members-only and one expired demand."""
    public = make_listing("patents", university, confidential_details=f"{SECRET_WORD} 参数表", keywords=["正极材料"])
    draft = make_listing("patents", university, status="draft", title=f"{DRAFT_WORD}的制备方法", region="上海")
    members = make_listing("demands", enterprise, title="会员可见的电池回收需求", visibility="members")
    expired = make_listing("demands", enterprise, title="已过期的电池检测需求")
    expired.valid_until = local_today() - timedelta(days=1)
    patents_service.sync_index({public.id, draft.id})
    from app.demands.service import demands_service

    demands_service.sync_index({members.id, expired.id})
    return {"public": public, "draft": draft, "members": members, "expired": expired}


def _search(identity, resource, **params):
    return discovery.search_listings(identity, resource, {"page": 1, "per_page": 20, **params})


def test_anonymous_search_sees_published_listings_with_highlights(market):
    result = _search(Identity.anonymous(), "patents", q="正极材料")
    assert [hit["id"] for hit in result["hits"]] == [market["public"].id]
    assert "<mark>" in result["hits"][0]["highlights"]["title"][0]
    assert "confidential_details" not in result["hits"][0]


@pytest.mark.parametrize("query", [SECRET_WORD, DRAFT_WORD, "草稿"])
def test_drafts_and_confidential_text_never_leak_to_outsiders(market, query):
    result = _search(Identity.anonymous(), "patents", q=query)
    assert market["draft"].id not in [hit["id"] for hit in result["hits"]]
    assert DRAFT_WORD not in str(result) and SECRET_WORD not in str(result)
    assert result["total"] == len(result["hits"])  # nothing counted that is not shown
    assert discovery.suggest(Identity.anonymous(), "patents", DRAFT_WORD[:4]) == []


def test_facet_counts_exclude_what_the_viewer_may_not_see(market):
    regions = dict((b["value"], b["count"]) for b in _search(Identity.anonymous(), "patents")["facets"]["region"])
    assert regions == {"北京": 1}  # the draft is in 上海


def test_owner_finds_own_draft_but_not_through_confidential_text_in_the_index(market, tto_user):
    owner = identity_of(tto_user)
    assert [h["id"] for h in _search(owner, "patents", q=DRAFT_WORD)["hits"]][0] == market["draft"].id
    assert _search(owner, "patents", q=SECRET_WORD)["total"] == 0  # confidential text is never indexed


def test_members_only_and_expired_demands(market, buyer_user, tto_user):
    anonymous_titles = {h["title"] for h in _search(Identity.anonymous(), "demands", q="电池")["hits"]}
    member_titles = {h["title"] for h in _search(identity_of(tto_user), "demands", q="电池")["hits"]}
    assert "会员可见的电池回收需求" not in anonymous_titles
    assert "会员可见的电池回收需求" in member_titles
    assert "已过期的电池检测需求" not in anonymous_titles | member_titles


def test_similar_patents_only_among_visible_ones(market, university):
    other = make_listing("patents", university, title="一种正极材料包覆方法")
    patents_service.sync_index({other.id})
    similar = discovery.similar(Identity.anonymous(), "patents", market["public"].id)
    assert [row.id for row in similar] == [other.id]


def test_engine_outage_keeps_every_change_and_applies_each_once(app, app_engine, university, tto_user, monkeypatch,
                                                                db_session):
    """Writes succeed while the engine is down; the backlog drains completely when it is back."""
    def refuse(*args, **kwargs):
        raise EngineUnavailable("engine down")

    monkeypatch.setattr(type(app_engine), "index", refuse)
    monkeypatch.setattr(type(app_engine), "delete", refuse)
    owner = identity_of(tto_user)
    published = [make_listing("patents", university, title=f"故障期间发布的专利{i}号") for i in range(3)]
    draft = make_listing("patents", university, status="draft", title="故障期间的草稿")
    patents_service.update(owner, draft.id, {"title": "故障期间修改后的草稿"})
    patents_service.withdraw(owner, published[2].id)
    patents_service.delete(owner, published[2].id)
    backlog = indexing.status()["outbox_backlog"]
    assert backlog >= 6
    assert app_engine.count("patents") == 0
    monkeypatch.undo()
    assert indexing.drain() == backlog
    assert indexing.drain() == 0  # nothing applied twice
    assert app_engine.count("patents") == 3
    assert app_engine.get_source("patents", draft.id)["title"] == "故障期间修改后的草稿"
    assert app_engine.get_source("patents", published[2].id) is None
    public_titles = {h["title"] for h in _search(Identity.anonymous(), "patents", q="故障期间")["hits"]}
    assert public_titles == {"故障期间发布的专利0号", "故障期间发布的专利1号"}
    assert db_session.query(SearchOutbox).filter(SearchOutbox.processed_at.is_(None)).count() == 0


def test_search_api_validates_parameters_and_names_the_field(client, market):
    response = client.get("/api/v1/search/patents?per_page=1000&sort=random")
    assert response.status_code == 422
    body = response.get_json()
    assert "per_page" in str(body) and "sort" in str(body)


@pytest.mark.parametrize("q", ["", "a" * 10_000, "！！！", 'title:(x OR "y") AND [0 TO *]', "电池battery😀"])
def test_search_api_handles_hostile_queries(client, market, q):
    response = client.get("/api/v1/search/patents", query_string={"q": q, "region": ["北京"]})
    assert response.status_code == 200
    assert response.get_json()["total"] >= 0


def test_search_api_filters_facets_and_suggestions(client, market):
    body = client.get("/api/v1/search/patents", query_string={"q": "电池", "maturity": ["pilot"]}).get_json()
    assert [hit["id"] for hit in body["hits"]] == [market["public"].id]
    assert {b["value"] for b in body["facets"]["ipc_section"]} == {"H"}
    assert body["facets"]["ipc_section"][0]["label"]  # IPC titles label the buckets
    suggestions = client.get("/api/v1/search/patents/suggest", query_string={"q": "一种高镍"}).get_json()
    assert suggestions["suggestions"] == [market["public"].title]
    assert client.get("/api/v1/search/patents/suggest").status_code == 422
    assert client.get(f"/api/v1/search/patents/{market['draft'].id}/similar").status_code == 404


def test_post_search_takes_the_same_parameters_as_json_and_long_queries(client, market):
    """POST carries what a URL cannot (a 10,000-character Chinese query is ~90 kB URL-encoded)."""
    params = {"q": "电池", "maturity": ["pilot"]}
    by_get = client.get("/api/v1/search/patents", query_string=params).get_json()
    by_post = client.post("/api/v1/search/patents", json=params)
    assert by_post.status_code == 200 and by_post.get_json() == by_get
    long_query = ("正极材料" * 2500)[:10_000]
    response = client.post("/api/v1/search/patents", json={"q": long_query})
    assert response.status_code == 200 and market["public"].id in [h["id"] for h in response.get_json()["hits"]]
    too_long = client.post("/api/v1/search/patents", json={"q": long_query + "长"})
    assert too_long.status_code == 422 and "q" in too_long.get_json()["errors"]
    unknown = client.post("/api/v1/search/patents", json={"q": "电池", "colour": "red"})
    assert unknown.status_code == 422 and "colour" in unknown.get_json()["errors"]
    assert client.post("/api/v1/search/patents", data="{no", content_type="application/json").status_code == 400


def test_a_word_only_an_edited_listings_old_version_had_is_unknown(market, db_session):
    """The index keeps a replaced document's old version until a merge: its words must not count as known."""
    public = market["public"]
    # re-indexed with the draft, the old version shares its segment with a live document (tantivy drops a
    # segment all of whose documents are deleted)
    for title, ids in (("一种全钒液流电池电解液的制备方法", {public.id, market["draft"].id}),
                       ("一种磷酸铁锂正极材料的制备方法", {public.id})):
        public.title = title
        db_session.flush()
        patents_service.sync_index(ids)
    result = _search(Identity.anonymous(), "patents", q="液流 磷酸铁锂")
    assert result["unknown_terms"] == ["液流"] and not result["exact"]
    assert [hit["id"] for hit in _search(Identity.anonymous(), "patents", q="磷酸铁锂")["hits"]] == [public.id]


def test_reindex_settles_the_backlog_it_already_holds_and_drains_what_comes_meanwhile(app, app_engine, university,
                                                                                      monkeypatch, db_session):
    """Changes committed before a reindex are in the new index: their outbox rows are settled, not applied a second
    time (which rewrote every document after a bulk import); a change committed during the pass is still drained,
    and the settled listings are announced as a drain would (their vectors come next)."""
    from app.indexing.signals import index_synced

    monkeypatch.setitem(app.config, "SEARCH_DRAIN_AFTER_COMMIT", False)  # a bulk import leaves its rows pending
    before = [make_listing("patents", university, title=f"重建索引前发布的专利{i}号") for i in range(3)]
    assert indexing.status()["outbox_backlog"] >= 3
    applied, announced, late = [], [], []
    sync_index = patents_service.sync_index
    monkeypatch.setattr(patents_service, "sync_index", lambda ids: applied.append(set(ids)) or sync_index(ids))
    engine_reindex = type(app_engine).reindex

    def publish_during_the_pass(engine, resource, documents, progress=None):
        late.append(make_listing("patents", university, title="重建索引期间发布的专利"))
        return engine_reindex(engine, resource, documents, progress=progress)

    monkeypatch.setattr(type(app_engine), "reindex", publish_during_the_pass)
    with index_synced.connected_to(lambda sender, ids: announced.extend(ids), sender="patents"):
        assert indexing.reindex("patents") == 4
    assert app_engine.count("patents") == 4
    assert set().union(*applied) == {late[0].id}  # only the listing published during the pass was applied again
    assert {p.id for p in before} <= set(announced)
    assert db_session.query(SearchOutbox).filter(SearchOutbox.processed_at.is_(None)).count() == 0
    assert {h["title"] for h in _search(Identity.anonymous(), "patents", q="重建索引")["hits"]} == {
        *(p.title for p in before), "重建索引期间发布的专利"}
