"""An index that heals: a damaged, deleted or unreachable index never takes pages down, search answers 503
with a message, ``search status`` says degraded, ``reindex``/``verify`` repair it, and no write is lost."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.core.search import search
from app.indexing import service as indexing
from app.indexing.models import SearchOutbox
from tests.factories import make_listing

API = "/api/v1"
TOPIC = "固态电解质界面修饰"


@pytest.fixture
def indexed(app, app_engine, university, db_session):
    """Three published patents in the index (drained after each commit, as in the embedded default)."""
    app.config["SEARCH_DRAIN_AFTER_COMMIT"] = True
    patents = [make_listing("patents", university, title=f"{TOPIC}方法之{n}") for n in range(3)]
    db_session.commit()
    assert app_engine.count("patents") == 3
    yield patents
    search.reopen()  # whatever the test left (damage, another engine), the next test starts clean
    search.engine.drop_all()
    search.engine.ensure_indexes()


def _live_folder(app) -> Path:
    root = Path(app.config["SEARCH_INDEX_DIR"])
    return root / (root / f"{app.config['SEARCH_INDEX_PREFIX']}-patents.current").read_text().strip()


def _corrupt_meta(app) -> None:
    (_live_folder(app) / "meta.json").write_text("{garbage")


def _truncate_segments(app) -> None:
    for part in _live_folder(app).glob("*.store"):
        with open(part, "r+b") as file:
            file.truncate(part.stat().st_size // 2)


def _delete_folder(app) -> None:
    shutil.rmtree(app.config["SEARCH_INDEX_DIR"])


def _assert_site_degrades_gracefully(client, patent):
    """Search is 503 with a message; home and the listing page render from the database with a notice."""
    api = client.get(f"{API}/search/patents?q={TOPIC}")
    assert api.status_code == 503 and api.get_json()["status"] == "SearchUnavailable" and api.get_json()["message"]
    page = client.get(f"/search/patents?q={TOPIC}")
    assert page.status_code == 503 and "搜索暂时不可用" in page.get_data(as_text=True)
    home = client.get("/")
    assert home.status_code == 200 and 'id="search-unavailable"' in home.get_data(as_text=True)
    listing = client.get(f"/patents/{patent.id}")
    assert listing.status_code == 200 and patent.title in listing.get_data(as_text=True)
    assert 'id="search-unavailable"' in listing.get_data(as_text=True)


def _write_while_down(app, university, db_session):
    """A listing published while the index is down: saved, its outbox row kept for later."""
    # The CLI runs and requests before this ended their sessions, which detached the fixture's organisation.
    patent = make_listing("patents", db_session.merge(university), title=f"{TOPIC}停机期间发布")
    db_session.commit()
    pending = db_session.scalar(select(func.count(SearchOutbox.id)).where(SearchOutbox.processed_at.is_(None)))
    assert pending >= 1
    return patent


def _reindex_all():
    for resource in ("patents", "demands", "services"):
        indexing.reindex(resource)


def _assert_repaired_by(repair, app, client, patents):
    repair()
    state = indexing.status()
    assert not state["degraded"], state
    assert state["resources"]["patents"] == {"documents": len(patents), "database": len(patents), "difference": 0,
                                             "problem": None}
    found = client.get(f"{API}/search/patents?q={TOPIC}&per_page=50").get_json()
    assert sorted(hit["id"] for hit in found["hits"]) == sorted(p.id for p in patents)


@pytest.mark.parametrize("damage", [_corrupt_meta, _truncate_segments, _delete_folder])
@pytest.mark.parametrize("when", ["running", "at start"])
def test_damage_is_detected_answered_with_503_and_repaired_by_reindex(app, client, indexed, university, db_session,
                                                                       damage, when):
    damage(app)
    if when == "at start":
        search.reopen()  # what a worker started after the damage sees
    _assert_site_degrades_gracefully(client, indexed[0])
    state = indexing.status()
    assert state["degraded"] and state["resources"]["patents"]["problem"]
    late = _write_while_down(app, university, db_session)
    _assert_repaired_by(_reindex_all, app, client, [*indexed, late])
    assert db_session.scalar(select(func.count(SearchOutbox.id)).where(SearchOutbox.processed_at.is_(None))) == 0


def test_the_status_command_says_degraded_with_the_difference(app, indexed):
    _delete_folder(app)
    search.reopen()
    result = app.test_cli_runner().invoke(args=["search", "status"])
    assert result.exit_code == 1
    assert "DEGRADED" in result.output and "index was missing (3 listings in the database)" in result.output
    as_json = json.loads(app.test_cli_runner().invoke(args=["search", "status", "--json"]).output)
    assert as_json["degraded"] and as_json["resources"]["patents"]["database"] == 3


def test_reindex_command_rebuilds_a_garbage_folder(app, indexed):
    _corrupt_meta(app)
    (Path(app.config["SEARCH_INDEX_DIR"]) / f"{app.config['SEARCH_INDEX_PREFIX']}-patents-v1-1").mkdir()  # debris
    result = app.test_cli_runner().invoke(args=["search", "reindex", "--resource", "patents"])
    assert result.exit_code == 0, result.output
    assert "patents: 3 documents indexed" in result.output
    assert not (Path(app.config["SEARCH_INDEX_DIR"]) / f"{app.config['SEARCH_INDEX_PREFIX']}-patents-v1-1").exists()
    assert app.test_cli_runner().invoke(args=["search", "status"]).exit_code == 0


def test_verify_repairs_drift_and_leaves_agreeing_indexes_alone(app, indexed, university, db_session):
    search.engine.delete("patents", [indexed[0].id])  # drift: a document lost without any outbox row
    state = indexing.status()
    assert state["resources"]["patents"]["difference"] == 1 and state["degraded"]
    result = app.test_cli_runner().invoke(args=["search", "verify"])
    assert "patents: rebuilt (2 documents in the index, 3 in the database)" in result.output
    assert indexing.status()["resources"]["patents"]["documents"] == 3
    again = app.test_cli_runner().invoke(args=["search", "verify"])
    assert "every index agrees with the database" in again.output


def test_unreachable_elasticsearch_degrades_and_loses_no_write(app, client, indexed, university, db_session):
    app.config["ELASTICSEARCH_URL"] = "http://127.0.0.1:9"  # nothing listens on the discard port
    try:
        search.reopen()
        _assert_site_degrades_gracefully(client, indexed[0])
        state = indexing.status()
        assert state["degraded"] and "unreachable" in state["resources"]["patents"]["problem"]
        late = _write_while_down(app, university, db_session)
        result = app.test_cli_runner().invoke(args=["search", "reindex", "--resource", "patents"])
        assert result.exit_code == 1 and "search engine unavailable" in result.output  # an error, not a traceback
    finally:
        app.config["ELASTICSEARCH_URL"] = None
    search.reopen()  # the engine is back: the kept outbox row reaches it
    assert indexing.drain() >= 1
    _assert_repaired_by(lambda: None, app, client, [*indexed, late])


def test_elasticsearch_down_then_back_is_repaired_by_reindex_with_no_write_lost(app, client, indexed, university,
                                                                                 db_session, osmem, monkeypatch):
    """The production engine (osmem-server speaking the Elasticsearch API): in use, unreachable, back; the
    reindex command brings it level with the database, the listing written meanwhile included."""
    import uuid

    monkeypatch.setitem(app.config, "ELASTICSEARCH_PLAIN_JSON", True)
    monkeypatch.setitem(app.config, "SEARCH_INDEX_PREFIX", f"faults{uuid.uuid4().hex[:8]}")
    monkeypatch.setitem(app.config, "ELASTICSEARCH_URL", osmem.url)
    try:
        search.reopen()
        assert app.test_cli_runner().invoke(args=["search", "reindex"]).exit_code == 0
        assert not indexing.status()["degraded"]

        app.config["ELASTICSEARCH_URL"] = "http://127.0.0.1:9"  # the cluster goes away
        search.reopen()
        _assert_site_degrades_gracefully(client, indexed[0])
        late = _write_while_down(app, university, db_session)

        app.config["ELASTICSEARCH_URL"] = osmem.url  # and comes back, without the listing written meanwhile
        search.reopen()
        state = indexing.status()
        assert state["resources"]["patents"]["difference"] == 1 and state["outbox_backlog"] >= 1, state
        result = app.test_cli_runner().invoke(args=["search", "reindex"])
        assert result.exit_code == 0, result.output
        _assert_repaired_by(lambda: None, app, client, [*indexed, late])
        assert db_session.scalar(select(func.count(SearchOutbox.id)).where(SearchOutbox.processed_at.is_(None))) == 0
    finally:
        search.engine.drop_all()
        app.config["ELASTICSEARCH_URL"] = None
        search.reopen()


def test_a_segment_file_merged_away_while_it_is_checked_is_looked_at_again(app, indexed, monkeypatch):
    """A writer in another process may delete a segment between our stat and our read of it: that is a file gone
    (looked at again once meta.json settles), not an error escaping to the reader's request."""
    from search.engines import tantivy_engine

    def vanished(path, size):
        raise FileNotFoundError(path)

    monkeypatch.setattr(tantivy_engine, "_file_is_intact", vanished)
    problem, files = tantivy_engine.inspect_index(_live_folder(app))
    assert problem.startswith("segment file ") and problem.endswith(" missing") and files == {}
