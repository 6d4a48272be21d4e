"""Matching speed: saved listings' query vectors stored when indexed, the vector version every process reads."""
from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import insert, select, text

from app.core.cache import LRUCache
from app.core.extensions import db
from app.core.identity import Identity
from app.matching import embeddings
from app.matching import service as matching
from app.matching.models import Embedding, QueryVector
from app.matching.query import SemanticQuery
from tests.factories import make_listing


@pytest.fixture
def fresh_query_memory(monkeypatch):
    """This process has seen no query text yet (as another worker, or after a restart)."""
    monkeypatch.setattr(embeddings, "_query_memory", LRUCache(4096))


def _drain():
    from app.indexing.service import drain

    drain()


def _stored_hashes(resource: str, object_id: int) -> set[str]:
    return set(db.session.scalars(select(QueryVector.text_hash).where(
        QueryVector.resource == resource, QueryVector.object_id == object_id)))


def test_a_saved_demands_query_vectors_are_stored_when_indexed_and_recomputed_after_an_edit(
        app, app_engine, university, enterprise, monkeypatch, fresh_query_memory):
    monkeypatch.setitem(app.config, "EMBED_AFTER_INDEX", True)
    make_listing("patents", university, title="石墨烯导热膜", abstract="石墨烯导热膜用于手机散热。", indicators=[])
    demand = make_listing("demands", enterprise, status="draft", title="手机散热材料",  # drafts are edited in place
                          description="寻求手机散热用的石墨烯导热材料。", indicators=[], keywords=[])
    _drain()
    queries = embeddings.semantic_queries("demands", demand)
    plan = matching.plan_for(matching.DEMAND_TO_PATENTS, demand)
    assert set(plan.semantic_queries) <= set(queries)
    assert SemanticQuery("passage", "手机散热材料。寻求手机散热用的石墨烯导热材料。") in queries  # the whole text
    assert _stored_hashes("demands", demand.id) == {embeddings._query_hash(q) for q in queries}

    # Matching the saved demand reads its vectors: the model is not run in the request.
    expected = matching.rank(Identity.system(), matching.DEMAND_TO_PATENTS, demand)
    monkeypatch.setattr(embeddings, "_query_memory", LRUCache(4096))
    monkeypatch.setattr(embeddings, "_model_vectors", lambda queries: pytest.fail(f"model run for {queries}"))
    again = matching.rank(Identity.system(), matching.DEMAND_TO_PATENTS, demand)
    assert [(r.obj.id, r.score) for r in again] == [(r.obj.id, r.score) for r in expected]
    assert again[0].explanation["features"]["semantic"]["known"]
    monkeypatch.undo()

    monkeypatch.setitem(app.config, "EMBED_AFTER_INDEX", True)
    owner = Identity(org_id=enterprise.id, org_kind=enterprise.kind.value, role="org_admin", org_verified=True,
                     user_id=None)
    from app.demands.service import demands_service

    old = _stored_hashes("demands", demand.id)
    demands_service.update(owner, demand.id, {"title": "笔记本电脑散热膜"})
    _drain()
    db.session.expire_all()
    new = _stored_hashes("demands", demand.id)
    assert embeddings._query_hash(SemanticQuery("query", "笔记本电脑散热膜")) in new
    assert embeddings._query_hash(SemanticQuery("query", "手机散热材料")) in old - new  # the old title's vector is gone


def test_stored_query_vectors_equal_the_models(app, app_engine, enterprise, monkeypatch, fresh_query_memory):
    monkeypatch.setitem(app.config, "EMBED_AFTER_INDEX", True)
    demand = make_listing("demands", enterprise, title="锂电池隔膜涂覆", indicators=[], keywords=[])
    _drain()
    queries = tuple(embeddings.semantic_queries("demands", demand))
    stored = embeddings.embed_queries(queries)
    computed = embeddings._model_vectors(list(queries))
    assert all(np.array_equal(a, b) for a, b in zip(stored, computed, strict=True))


def test_an_unsaved_demand_is_embedded_once_per_process(app, monkeypatch, fresh_query_memory, db_session):
    calls = []
    real = embeddings._model_vectors
    monkeypatch.setattr(embeddings, "_model_vectors", lambda queries: calls.append(queries) or real(queries))
    title, passage = SemanticQuery("query", "手机散热材料"), SemanticQuery("passage", "手机散热材料。寻求石墨烯导热膜。")
    first = embeddings.embed_queries((title, passage))
    again = embeddings.embed_queries((passage,))
    assert calls == [[title, passage]]
    assert np.array_equal(first[1], again[0])


def _vector(seed: int) -> bytes:
    vector = np.random.default_rng(seed).standard_normal(384).astype(np.float32)
    return (vector / np.linalg.norm(vector)).tobytes()


def test_the_vector_matrix_is_kept_until_any_process_raises_the_version(app, db_session):
    index = embeddings.VectorIndex()
    db.session.execute(insert(Embedding), [{"resource": "patents", "object_id": 1, "text_hash": "h",
                                            "model": embeddings.LISTING_VECTORS, "vector": _vector(1)}])
    embeddings.vectors_written(db.session, "patents")
    first = index.load("patents")
    assert len(first) == 1 and index.load("patents") is first  # no second read while nothing was written

    # Another worker stores a vector and raises the counter in its transaction (plain SQL, no shared memory).
    db.session.execute(text("INSERT INTO embeddings (resource, object_id, model, text_hash, vector, computed_at) "
                            "VALUES ('patents', 2, :m, 'h', :v, CURRENT_TIMESTAMP)"),
                       {"m": embeddings.LISTING_VECTORS, "v": _vector(2)})
    assert index.load("patents") is first  # not yet announced: the counter, not the table, is what is read
    db.session.execute(text("UPDATE vector_versions SET version = version + 1 WHERE resource = 'patents'"))
    reloaded = index.load("patents")
    assert len(reloaded) == 2 and reloaded.version == first.version + 1
    assert set(reloaded.vectors([1, 2, 3])) == {1, 2}
    assert reloaded.nearest([np.frombuffer(_vector(2), dtype=np.float32)], 1) == {2}


def test_recomputing_a_vector_raises_the_version(app, app_engine, university, monkeypatch):
    monkeypatch.setitem(app.config, "EMBED_AFTER_INDEX", True)
    patent = make_listing("patents", university, title="石墨烯导热膜", abstract="石墨烯导热膜用于手机散热。")
    _drain()
    before = embeddings.vector_index.version("patents")
    patent.title = "石墨烯散热膜的制备方法"
    assert embeddings.ensure_embeddings("patents", [patent]) == 1
    assert embeddings.vector_index.version("patents") == before + 1
    assert embeddings.ensure_embeddings("patents", [patent]) == 0  # unchanged text: nothing written
    assert embeddings.vector_index.version("patents") == before + 1


def test_listings_are_embedded_like_the_texts_they_are_compared_with(app, app_engine, university, monkeypatch):
    """Title against title is a symmetric task: a listing's vector is its text's query vector, so an identical
    title scores a cosine of 1."""
    patent = make_listing("patents", university, title="石墨烯导热膜", abstract="石墨烯导热膜用于手机散热。", keywords=[])
    embeddings.ensure_embeddings("patents", [patent])
    stored = db.session.scalars(select(Embedding).where(Embedding.resource == "patents",
                                                        Embedding.object_id == patent.id)).one()
    vector = np.frombuffer(stored.vector, dtype=np.float32)
    assert stored.model == embeddings.LISTING_VECTORS
    assert float(vector @ embeddings._model_vectors([SemanticQuery("query", "石墨烯导热膜")])[0]) == pytest.approx(1.0, abs=1e-5)


def test_vectors_embedded_another_way_are_left_out_until_recomputed(app, app_engine, university, monkeypatch):
    patent = make_listing("patents", university, title="石墨烯导热膜", abstract="石墨烯导热膜用于手机散热。", keywords=[])
    db.session.execute(insert(Embedding), [{"resource": "patents", "object_id": patent.id, "text_hash": "old",
                                            "model": "multilingual-e5-small-q4", "vector": _vector(3)}])
    embeddings.vectors_written(db.session, "patents")
    assert patent.id not in embeddings.vector_index.load("patents").positions  # the semantic feature is unknown
    assert embeddings.ensure_embeddings("patents", [patent]) == 1  # ``flask match embed`` back-fills it
    assert patent.id in embeddings.vector_index.load("patents").positions
