"""Query understanding, search sanity, explanations in both languages and vectors kept up to date."""
from __future__ import annotations

import re

import pytest
from flask_babel import force_locale

from app.core.extensions import db
from app.core.identity import Identity
from app.matching import service as matching
from app.matching.explain import sentences
from app.matching.models import Embedding
from app.matching.query import PASSAGE_CHARS, SemanticQuery, plan_query
from bench.bdci import SOURCE, load
from search.analysis import static_generic_terms
from tests.factories import make_listing

INTERNAL_CODES = re.compile(r"\b(pilot|mass_production|small_batch|lab|gte|lte|not_met|unknown|lexical|semantic)\b|\d+/\d+ met")


class StubVocabulary:
    """Document frequencies of a 5,000-document index: generic words are in a fifth of it, the rest rare."""

    size = 5000
    generic_words = {"技术", "方法", "提高", "开发", "需要", "问题", "产业化", "企业", "进行"}

    def frequencies(self, terms):
        return {t: 1000 if t in self.generic_words else 12 for t in terms}

    def generic(self, df):
        return {t for t, n in df.items() if n > 0.05 * self.size}

    def idf(self, count):
        import math
        return math.log(1 + (self.size - count + 0.5) / (count + 0.5))


@pytest.fixture(scope="module")
def real_demands():
    if not SOURCE.exists():
        pytest.skip(f"the development benchmark is not at {SOURCE}")
    return load()[1]


def test_a_real_demand_becomes_title_words_and_a_few_key_phrases(real_demands):
    for demand in real_demands[:30]:
        plan = plan_query(demand["title"], demand["description"], [], StubVocabulary())
        assert plan.title_terms, demand["title"]
        assert not set(plan.key_terms) & StubVocabulary.generic_words
        assert len(plan.phrases) <= 3 and len(set(plan.key_terms)) == len(plan.key_terms)
        assert all(phrase in demand["description"].lower() for phrase in plan.phrases)


def test_key_phrases_are_the_descriptions_rare_repeated_words():
    vocabulary = StubVocabulary()
    vocabulary.frequencies = lambda terms: {t: {"电解液": 3, "正极": 40}.get(t, 1000 if t in StubVocabulary.generic_words else 200)
                                             for t in terms}
    plan = plan_query("高镍三元动力电池的开发", "需要开发电解液，电解液要与高镍正极匹配，提高循环寿命。", [], vocabulary)
    assert plan.phrases[0] == "电解液"  # rare and said twice
    assert "开发" not in plan.title_terms and "提高" not in plan.key_terms


def test_a_title_word_the_description_keeps_using_is_searched_again():
    vocabulary = StubVocabulary()
    vocabulary.frequencies = lambda terms: {t: {"电解液": 3, "配方": 3, "隔膜": 3}.get(t, 200) for t in terms}
    plan = plan_query("电解液配方开发", "电解液要耐高压；电解液与隔膜匹配。", [], vocabulary)
    assert plan.phrases[0] == "电解液" and "电解液" in plan.title_terms
    assert plan.key_terms.count("电解液") == 1  # listed once in explanations
    # …but weighed as a title word and a key phrase: it covers more than an equally rare title-only word
    from app.matching.service import coverage
    assert coverage(plan, [{"term": "电解液", "in": ["title"]}]) > coverage(plan, [{"term": "配方", "in": ["title"]}])


def test_a_demands_whole_text_is_also_a_passage_but_a_patents_abstract_and_a_bare_title_are_not(
        app_engine, university, enterprise):
    description = "需要开发与高镍正极匹配的电解液，" * 40  # longer than a passage
    demand = make_listing("demands", enterprise, title="高镍动力电池电解液", description=description,
                          keywords=["电解液"], indicators=[])
    plan = matching.plan_for(matching.DEMAND_TO_PATENTS, demand)
    passage = SemanticQuery("passage", f"高镍动力电池电解液。电解液。{description}"[:PASSAGE_CHARS])
    assert plan.semantic_queries[0] == SemanticQuery("query", "高镍动力电池电解液")
    assert plan.semantic_queries[-1] == passage  # title, keywords, the start of the description
    assert passage in matching.plan_for(matching.DEMAND_TO_SERVICES, demand).semantic_queries
    patent = make_listing("patents", university, title="电解液添加剂", abstract="一种用于高镍正极的电解液添加剂。",
                          indicators=[])
    assert all(q.kind == "query" for q in matching.plan_for(matching.PATENT_TO_DEMANDS, patent).semantic_queries)
    bare = plan_query("锂电池隔膜", "", [], StubVocabulary(), passage=True)
    assert bare.semantic_queries == (SemanticQuery("query", "锂电池隔膜"),)


@pytest.fixture
def shelf(app_engine, university, enterprise):
    listings = {
        "separator": make_listing("patents", university, title="锂电池隔膜的涂覆工艺", abstract="一种陶瓷涂覆隔膜的制备方法，提高电池安全性。",
                                  keywords=[], ipc=["H01M 50/40"], indicators=[]),
        "valve": make_listing("patents", university, title="高压阀门密封结构", abstract="一种用于高压管道的阀门密封结构及其制造方法。",
                              keywords=[], ipc=["F16K 1/00"], indicators=[]),
        "graphene": make_listing("patents", university, title="石墨烯导热膜及其制备方法", abstract="石墨烯导热膜用于手机散热，导热系数高。",
                                 keywords=[], ipc=["C01B 32/00"], indicators=[]),
    }
    from app.indexing.service import drain

    drain()
    return listings


def _search(client, q):
    return client.get("/api/v1/search/patents", query_string={"q": q}).get_json()


def test_a_query_of_unknown_words_finds_nothing(shelf, client):
    body = _search(client, "zzzzqqqq不存在的技术")
    assert body["total"] == 0 and body["hits"] == [] and body["exact"] is False
    assert "zzzzqqqq" in body["unknown_terms"]


def test_a_rare_word_ranks_the_listing_that_has_it_first_and_every_word_counts(shelf, client):
    body = _search(client, "石墨烯")
    assert [h["id"] for h in body["hits"]] == [shelf["graphene"].id] and body["exact"] is True
    both = _search(client, "隔膜 涂覆")
    assert [h["id"] for h in both["hits"]] == [shelf["separator"].id]


def test_no_exact_result_falls_back_to_related_listings_when_most_words_are_known(shelf, client):
    body = _search(client, "石墨烯 隔膜 涂覆")  # no listing has all three
    assert body["exact"] is False and body["total"] >= 2
    assert {h["id"] for h in body["hits"]} >= {shelf["graphene"].id, shelf["separator"].id}


def test_generic_words_are_never_matched_terms(shelf, enterprise):
    demand = make_listing("demands", enterprise, title="锂电池隔膜技术开发方法", description="提高隔膜安全性的技术和方法。",
                          indicators=[], keywords=[])
    results = matching.rank(Identity.system(), matching.DEMAND_TO_PATENTS, demand)
    assert results[0].obj.id == shelf["separator"].id
    terms = {m["term"] for r in results for m in r.explanation["matched"]}
    assert "隔膜" in terms and not terms & static_generic_terms()


EXPLANATION = {
    "key_terms": ["电解液"],
    "matched": [{"term": "电解液", "in": ["title", "body"]}],
    "indicators": [{"name": "能量密度", "target": "≥ 280 Wh/kg", "found": "300 Wh/kg", "result": "met", "source": "indicator"}],
    "features": {
        "lexical": {"value": 0.8, "known": True, "weight": 0.5, "contribution": 0.3, "detail": {}},
        "semantic": {"value": 0.7, "known": True, "weight": 0.2, "contribution": 0.1, "detail": {}},
        "classification": {"value": 1.0, "known": True, "weight": 0.2, "contribution": 0.1, "detail": {"shared_subclasses": ["H01M"]}},
        "indicators": {"value": 1.0, "known": True, "weight": 0.1, "contribution": 0.1, "detail": {"met": 1, "checked": 1}},
        "maturity": {"value": 1.0, "known": True, "weight": 0.02, "contribution": 0.02, "detail": {"offered": "mass_production", "required": "pilot"}},
        "price": {"value": 1.0, "known": True, "weight": 0.02, "contribution": 0.02, "detail": {"price": 500000.0, "budget_max": 2000000.0}},
        "region": {"value": 1.0, "known": True, "weight": 0.02, "contribution": 0.02, "detail": {"regions": ["江苏", "江苏"]}},
    },
}


@pytest.mark.parametrize("locale, expected", [
    ("zh", ["电解液（标题、描述）", "相似度高", "量产", "中试", "50 万元", "200 万元", "江苏"]),
    ("en", ["电解液 (in the title, description)", "similarity high", "Mass production", "Pilot scale", "CNY 500,000", "both in 江苏"]),
])
def test_explanations_read_in_the_viewers_language_without_internal_codes(app, locale, expected):
    with app.test_request_context(headers={"Accept-Language": locale}), force_locale(locale):
        lines = sentences(EXPLANATION)
    text = " | ".join(f"{line['label']}: {line['text']}" for line in lines)
    for fragment in expected:
        assert fragment in text, text
    assert not INTERNAL_CODES.search(text), text
    if locale == "zh":
        assert not re.search(r"[A-Za-z]{4,}", text.replace("IPC", "")), text  # no English words in the Chinese UI
    assert {line["feature"] for line in lines} == set(EXPLANATION["features"])


def test_vectors_are_written_after_publishing_and_after_a_text_edit(app, app_engine, university, monkeypatch):
    from app.indexing.service import drain
    from app.patents.service import patents_service

    monkeypatch.setitem(app.config, "EMBED_AFTER_INDEX", True)
    patent = make_listing("patents", university, status="draft", title="石墨烯导热膜", abstract="石墨烯导热膜用于手机散热。")
    drain()
    stored = db.session.query(Embedding).filter_by(resource="patents", object_id=patent.id).one()
    first_hash = stored.text_hash
    owner = Identity(org_id=university.id, org_kind=university.kind.value, role="org_admin", org_verified=True, user_id=None)
    patents_service.update(owner, patent.id, {"title": "石墨烯散热膜的制备方法"})
    drain()
    db.session.refresh(stored)
    assert stored.text_hash != first_hash and len(stored.vector) == 384 * 4
    results = matching.rank(Identity.system(), matching.DEMAND_TO_PATENTS,
                            make_listing("demands", university, status="draft", title="手机散热材料", indicators=[]))
    semantic = results[0].explanation["features"]["semantic"]
    assert semantic["known"] and 0 <= semantic["value"] <= 1


def test_listing_page_matches_are_cached_until_either_side_changes(app, shelf, enterprise, monkeypatch):
    calls = []
    real_rank = matching.rank
    monkeypatch.setattr(matching, "rank", lambda *a, **k: calls.append(1) or real_rank(*a, **k))
    demand = make_listing("demands", enterprise, title="锂电池隔膜涂覆", indicators=[], keywords=[])
    from app.indexing.service import drain

    drain()
    first = matching.cached_matches(Identity.anonymous(), matching.DEMAND_TO_PATENTS, demand)
    again = matching.cached_matches(Identity.anonymous(), matching.DEMAND_TO_PATENTS, demand)
    assert len(calls) == 1 and [(r.obj.id, r.score) for r in again] == [(r.obj.id, r.score) for r in first]
    make_listing("patents", shelf["separator"].organisation, title="锂电池隔膜涂覆设备", abstract="一种锂电池隔膜陶瓷涂覆设备及其控制方法。",
                 keywords=[], indicators=[])
    drain()
    fresh = matching.cached_matches(Identity.anonymous(), matching.DEMAND_TO_PATENTS, demand)
    assert len(calls) == 2 and len(fresh) == len(first) + 1
