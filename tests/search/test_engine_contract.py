"""The engine contract: the same documents, queries, filters and facets give the same hits in the same
order on tantivy and Elasticsearch (osmem-server). Every test runs once per engine.
"""
from __future__ import annotations

import pytest

from search.query import And, MatchAll, Not, Or, Range, SearchRequest, Term

DOCS = [
    {"id": 1, "title": "一种高镍三元正极材料的制备方法", "abstract": "提高动力电池能量密度与循环寿命的正极材料，采用共沉淀工艺。",
     "keywords": ["正极材料", "动力电池"], "status": "approved", "visibility": "public", "region": "北京",
     "maturity": "pilot", "ipc": ["H01M 4/505"], "price": 500000.0, "published_at": "2026-01-05T08:00:00+00:00"},
    {"id": 2, "title": "基于深度学习的钢板表面缺陷检测系统", "abstract": "利用卷积神经网络实现机器视觉缺陷检测，准确率达到98%。",
     "keywords": ["缺陷检测", "机器视觉"], "status": "approved", "visibility": "public", "region": "上海",
     "maturity": "small_batch", "ipc": ["G06T 7/00", "G06N 3/08"], "price": 300000.0,
     "published_at": "2026-02-05T08:00:00+00:00"},
    {"id": 3, "title": "磷酸铁锂电池低温充电方法", "abstract": "LiFePO4 电池在零下二十度快速充电，续航提升。",
     "keywords": ["磷酸铁锂", "低温"], "status": "approved", "visibility": "public", "region": "北京",
     "maturity": "lab", "ipc": ["H01M 10/44"], "price": 120000.0, "published_at": "2026-03-05T08:00:00+00:00"},
    {"id": 4, "title": "一種電池管理系統的SOC估計方法", "abstract": "繁體撰寫：基於卡爾曼濾波估計電池荷電狀態。",
     "keywords": ["电池管理系统"], "status": "approved", "visibility": "public", "region": "深圳",
     "maturity": "pilot", "ipc": ["H01M 10/48", "G01R 31/36"], "price": 800000.0,
     "published_at": "2026-04-05T08:00:00+00:00"},
    {"id": 5, "title": "草稿：秘密固态电解质配方", "abstract": "尚未公开的固态电解质配方草稿内容。",
     "keywords": ["固态电解质"], "status": "draft", "visibility": "public", "region": "北京",
     "maturity": "lab", "ipc": ["H01M 10/0562"], "price": None, "published_at": None},
    {"id": 6, "title": "Graph neural network for semiconductor wafer defect detection", "abstract":
     "An English abstract: wafer maps classified by a GNN, model GNN-X2 reaches 97% accuracy.",
     "keywords": ["defect detection", "wafer"], "status": "approved", "visibility": "public", "region": "上海",
     "maturity": "mass_production", "ipc": ["G06N 3/04"], "price": 950000.0,
     "published_at": "2026-05-05T08:00:00+00:00"},
]
APPROVED = Term("status", ["approved"])


@pytest.fixture
def loaded(engine):
    engine.index("patents", DOCS)
    return engine


def ids(result) -> list[int]:
    return [hit.id for hit in result.hits]


def search(engine, text="", filters=APPROVED, **kwargs):
    return engine.search(SearchRequest(resource="patents", text=text, filters=filters, **kwargs))


def test_chinese_query_ranks_the_best_match_first(loaded):
    result = search(loaded, "动力电池能量密度")
    assert ids(result)[0] == 1
    assert 5 not in ids(result)  # the draft is filtered out


def test_traditional_and_full_width_text_matches_simplified_query(loaded):
    assert ids(search(loaded, "电池管理系统 SOC")) [0] == 4
    assert ids(search(loaded, "ＳＯＣ估計"))[0] == 4


def test_model_numbers_and_english_words_stay_whole(loaded):
    assert ids(search(loaded, "LiFePO4")) == [3]
    assert ids(search(loaded, "gnn-x2")) == [6]


def test_cross_script_query_finds_chinese_and_english_documents(loaded):
    assert set(ids(search(loaded, "缺陷检测 defect detection"))) == {2, 6}


def test_filters_terms_ranges_and_boolean_combinations(loaded):
    assert ids(search(loaded, filters=And(APPROVED, Term("region", ["北京"])), sort="price_asc")) == [3, 1]
    assert ids(search(loaded, filters=And(APPROVED, Range("price", gte=300000, lte=800000)), sort="price_asc")) == [2, 1, 4]
    either = Or(Term("region", ["深圳"]), Term("maturity", ["mass_production"]))
    assert ids(search(loaded, filters=And(APPROVED, either), sort="price_asc")) == [4, 6]
    assert ids(search(loaded, filters=And(APPROVED, Not(Term("ipc_section", ["H"]))), sort="price_asc")) == [2, 6]
    assert search(loaded, filters=Term("id", [])).total == 0


def test_facet_counts_are_counted_inside_the_filter(loaded):
    result = search(loaded, facets=["region", "ipc_section", "maturity"])
    assert result.facets["region"] == [("上海", 2), ("北京", 2), ("深圳", 1)]
    assert result.facets["ipc_section"] == [("H", 3), ("G", 3)] or result.facets["ipc_section"] == [("G", 3), ("H", 3)]
    assert dict(result.facets["maturity"]) == {"pilot": 2, "small_batch": 1, "lab": 1, "mass_production": 1}
    assert "固态电解质" not in str(result.facets)


def test_sorting_by_newest_and_price(loaded):
    assert ids(search(loaded)) == [6, 4, 3, 2, 1]  # no text: newest first
    assert ids(search(loaded, sort="price_desc")) == [6, 4, 1, 2, 3]


def test_pagination_returns_consecutive_pages_and_the_total(loaded):
    first = search(loaded, per_page=2, page=1)
    second = search(loaded, per_page=2, page=2)
    third = search(loaded, per_page=2, page=3)
    assert (first.total, ids(first), ids(second), ids(third)) == (5, [6, 4], [3, 2], [1])


def test_highlights_mark_matches_in_the_original_text(loaded):
    hit = search(loaded, "电池管理系统", highlight_fields=["title", "abstract"]).hits[0]
    assert hit.id == 4
    assert "<mark>電池管理系統</mark>" in hit.highlights["title"][0]


def test_highlights_escape_html(engine):
    engine.index("patents", [{**DOCS[0], "id": 10, "abstract": "<script>alert(1)</script> 正极材料"}])
    fragment = search(engine, "正极材料", highlight_fields=["abstract"]).hits[0].highlights["abstract"][0]
    assert "<script>" not in fragment and "</script>" not in fragment and "&lt;/script&gt;" in fragment


def test_suggestions_complete_titles_within_the_filter(loaded):
    assert loaded.suggest("patents", "一种高镍", APPROVED) == ["一种高镍三元正极材料的制备方法"]
    assert loaded.suggest("patents", "草稿", APPROVED) == []
    assert loaded.suggest("patents", "", APPROVED) == []


def test_more_like_this_excludes_itself_and_respects_the_filter(loaded):
    similar = [hit.id for hit in loaded.more_like_this("patents", 3, APPROVED)]
    assert similar and 3 not in similar and 5 not in similar
    assert similar[0] in {1, 4}  # other battery patents


def test_upsert_and_delete_are_idempotent(loaded):
    loaded.index("patents", [{**DOCS[0], "title": "改名后的正极材料专利"}])
    loaded.index("patents", [{**DOCS[0], "title": "改名后的正极材料专利"}])
    assert loaded.count("patents") == len(DOCS)
    assert ids(search(loaded, "改名")) == [1]
    loaded.delete("patents", [1, 1, 999])
    loaded.delete("patents", [1])
    assert loaded.count("patents") == len(DOCS) - 1
    assert 1 not in ids(search(loaded, "正极材料"))


def test_reindex_swaps_in_a_complete_new_index(loaded):
    progress = []
    assert loaded.reindex("patents", iter(DOCS[:3]), progress=progress.append) == 3
    assert loaded.count("patents") == 3 and sum(progress) == 3
    assert ids(search(loaded, "soc")) == []  # document 4 is gone


@pytest.mark.parametrize("text", [
    "", "   ", "。，！？…——", "a" * 10_000, "电池" * 5_000, 'title:(正极 OR "材料") AND price:[0 TO *] ~2 ^3 \\ / { } !',
    "*", "?", "-", "OR", "AND NOT", "电池LiFePO4 battery 测试", "😀🔋", "\x00\x1f",
])
def test_bad_queries_return_results_not_errors(loaded, text):
    result = search(loaded, text, facets=["region"])
    assert result.total >= 0 and isinstance(result.hits, list)


def test_engines_agree_on_the_same_queries(engine, tmp_path, osmem):
    """The same query set on both engines gives the same ordered ids (ties broken by id)."""
    from search.engines.es_engine import ElasticsearchEngine
    from search.engines.tantivy_engine import TantivyEngine

    others = [TantivyEngine(str(tmp_path / "other"), prefix="agree"),
              ElasticsearchEngine(osmem.url, prefix=f"agree{id(tmp_path)}", plain_json=True)]
    for other in others:
        other.ensure_indexes()
        other.index("patents", DOCS)
    queries = ["电池", "动力电池能量密度", "缺陷检测", "defect detection", "电池管理系统", "方法", "充电 续航"]
    try:
        engine.index("patents", DOCS)
        for text in queries:
            expected = ids(search(engine, text, filters=MatchAll()))
            for other in others:
                assert ids(search(other, text, filters=MatchAll())) == expected, text
    finally:
        for other in others:
            other.drop_all()



def test_weighted_terms_in_chosen_fields_and_the_and_operator(loaded):
    titles_only = search(loaded, terms=[("电池", 1.0)], fields={"title": 1.0})
    assert set(ids(titles_only)) == {3, 4}  # 1 mentions 电池 in its abstract only
    assert ids(search(loaded, terms=[("电池", 1.0), ("soc", 1.0)], operator="and")) == [4]
    assert ids(search(loaded, terms=[("正极材料", 1.0), ("电池", 0.1)]))[0] == 1
    assert ids(search(loaded, terms=[("正极材料", 0.1), ("电池", 1.0)], fields={"title": 1.0}))[0] != 1


def test_document_frequencies_count_documents_per_term_across_fields(loaded):
    df = loaded.document_frequencies("patents", ["title", "abstract"], ["电池", "正极材料", "zzzz"])
    assert df == {"电池": 3, "正极材料": 1, "zzzz": 0}  # 1 (abstract), 3 and 4 (titles)
    assert loaded.document_frequencies("patents", ["title"], ["电池"]) == {"电池": 2}


def test_unknown_terms_are_those_no_live_document_has_in_the_fields(loaded):
    terms = ["zzzz", "电池", "正极材料", "电池", "卷积", "yyyy"]
    assert loaded.unknown_terms("patents", ["title", "abstract"], terms) == ["zzzz", "yyyy"]
    # replacing document 2 leaves its old version's words in the term dictionaries until a merge
    loaded.index("patents", [{**DOCS[1], "title": "钢板表面检查", "abstract": "人工目视", "keywords": []}])
    assert loaded.unknown_terms("patents", ["title", "abstract", "keywords"], ["缺陷检测", "钢板", "卷积"]) == [
        "缺陷检测", "卷积"]


@pytest.mark.parametrize("sort", ["relevance", "newest", "price_asc"])
def test_hits_without_their_documents_have_the_same_ids_scores_and_total(loaded, sort):
    full = search(loaded, "电池", sort=sort, per_page=2, page=2, highlight_fields=["title"])
    bare = search(loaded, "电池", sort=sort, per_page=2, page=2, highlight_fields=["title"], source=False)
    assert bare.total == full.total
    assert [(h.id, h.score) for h in bare.hits] == [(h.id, h.score) for h in full.hits]
    assert all(h.source == {} and h.highlights == {} for h in bare.hits)
    assert ids(search(loaded, filters=Term("id", [3, 6]), source=False)) == ids(search(loaded, filters=Term("id", [3, 6])))


def test_a_word_the_dictionary_lacks_is_searchable(engine):
    # 变径 and 胶剂 are in no jieba dictionary: segmented without new-word discovery they fell apart into single
    # characters, which are never indexed, so nobody could search for them.
    engine.index("patents", [{**DOCS[0], "id": 7, "title": "液压刀柄变径套", "abstract": "胶剂生产工艺研究"}])
    assert ids(search(engine, "变径")) == [7]
    assert ids(search(engine, "胶剂")) == [7]


def test_an_index_built_for_an_older_mapping_is_a_problem_until_reindexed(loaded, monkeypatch):
    import dataclasses

    from search import specs
    from search.engines import es_engine, tantivy_engine

    assert "patents" not in loaded.problems()
    real = specs.spec
    for module in (specs, es_engine, tantivy_engine):  # a release with the next mapping version
        monkeypatch.setattr(module, "spec", lambda resource: dataclasses.replace(
            real(resource), version=real(resource).version + 1))
    assert "reindex" in loaded.problems()["patents"]  # its documents were analysed the old way
    loaded.reindex("patents", iter(DOCS))
    assert "patents" not in loaded.problems()
