"""Both engines rank real demands alike: the matcher's lexical retrieval (the only engine-dependent part) on
tantivy and on Elasticsearch (osmem-server) over a slice of the development benchmark, nDCG@10 within 5%.

The benchmark is read in place from ``shared/data/bdci2019_dev`` (evaluation use only, never copied).
"""
from __future__ import annotations

import random

import pytest

from app.matching import service as matching
from bench.bdci import SOURCE, as_listing, load
from bench.metrics import ndcg_at
from bench.quality import demand_for
from search.query import Term

DEMANDS = 40
DISTRACTORS = 1500


@pytest.fixture(scope="module")
def dev_slice():
    if not SOURCE.exists():
        pytest.skip(f"the development benchmark is not at {SOURCE}")
    corpus, demands, qrels = load()
    demands = demands[:DEMANDS]
    judged = {doc for d in demands for doc in qrels[d["external_id"]] if doc in corpus}
    others = sorted(set(corpus) - judged)
    chosen = sorted(judged) + random.Random(5).sample(others, DISTRACTORS)
    documents = [{"id": i + 1, "external_id": key, "status": "approved", "visibility": "public", **as_listing(corpus[key])}
                 for i, key in enumerate(chosen) if corpus[key]["title"].strip()]
    return documents, demands, qrels


def mean_ndcg(engine, documents, demands, qrels) -> float:
    engine.index("patents", documents)
    external = {d["id"]: d["external_id"] for d in documents}
    visible = Term("status", ["approved"])
    total = 0.0
    for demand in demands:
        plan = matching.plan_for(matching.DEMAND_TO_PATENTS, demand_for(demand["title"], demand["description"]), engine)
        scores = matching.lexical_scores(engine, matching.DEMAND_TO_PATENTS, plan, visible)
        ranked = [external[i] for i in sorted(scores, key=lambda i: (-scores[i], i))]
        total += ndcg_at(ranked, qrels[demand["external_id"]])
    return total / len(demands)


def test_tantivy_and_elasticsearch_rank_real_demands_alike(app, dev_slice, tmp_path, osmem):
    from search.engines.es_engine import ElasticsearchEngine
    from search.engines.tantivy_engine import TantivyEngine

    tantivy = TantivyEngine(str(tmp_path / "index"), prefix="parity")
    elastic = ElasticsearchEngine(osmem.url, prefix="parity", plain_json=True)
    figures = {}
    for name, engine in (("tantivy", tantivy), ("elasticsearch", elastic)):
        engine.ensure_indexes()
        try:
            figures[name] = mean_ndcg(engine, *dev_slice)
        finally:
            engine.drop_all()
    assert figures["tantivy"] > 0.05, figures  # the slice is real work, not an empty ranking
    assert abs(figures["tantivy"] - figures["elasticsearch"]) <= 0.05 * max(figures.values()), figures
