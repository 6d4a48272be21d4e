"""Concurrent API writes on the embedded default (a SQLite file, the search outbox drained after each commit):
every request answers 2xx and the rows are exactly the successful responses; concurrent retries with one
Idempotency-Key write once.

These tests commit for real, on an application and database of their own (threads cannot share the
rolled-back test transaction).
"""
from __future__ import annotations

import hashlib
import json
import threading

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from app import create_app, idempotency
from app.core.extensions import db
from app.idempotency import HEADER, REPLAYED_HEADER
from app.idempotency.models import IdempotencyKey
from app.orgs.models import OrgKind
from app.patents.models import Patent
from tests.conftest import app_settings
from tests.factories import OrganisationFactory, UserFactory, bearer, patent_data

THREADS = 10
PER_THREAD = 4


@pytest.fixture(scope="module")
def file_app(tmp_path_factory):
    """An app on its own SQLite file, search outbox drained in-process after each commit (the default)."""
    folder = tmp_path_factory.mktemp("concurrent")
    application = create_app(app_settings(folder, f"sqlite:///{folder / 'app.sqlite3'}",
                                           SEARCH_DRAIN_AFTER_COMMIT=True, TESTING=True))
    with application.app_context():
        upgrade()
        user = UserFactory(organisation=OrganisationFactory(kind=OrgKind.university))
        headers = bearer(user)
        db.session.commit()
        principal = f"user:{user.id}"
        db.session.remove()
    application.config["TEST_HEADERS"] = headers
    application.config["TEST_PRINCIPAL"] = principal
    return application


def run_threads(target, count: int) -> None:
    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)


def patent_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Patent))


def test_concurrent_creates_all_succeed_and_rows_equal_responses(file_app):
    before = patent_count(file_app)
    statuses, ids, lock = [], [], threading.Lock()

    def writer(n: int) -> None:
        client = file_app.test_client()
        for i in range(PER_THREAD):
            response = client.post("/api/v1/patents", json=patent_data(title=f"并发创建的专利 {n}-{i}"),
                                   headers=file_app.config["TEST_HEADERS"])
            with lock:
                statuses.append(response.status_code)
                if response.status_code == 201:
                    ids.append(response.get_json()["id"])

    run_threads(writer, THREADS)
    assert statuses == [201] * THREADS * PER_THREAD
    assert len(set(ids)) == len(ids) == patent_count(file_app) - before


def test_concurrent_retries_with_one_key_write_once(file_app, monkeypatch):
    # The retries wait for the first request however slow a loaded machine makes it (the 409 after the wait is
    # tested on its own): this test is about writing once.
    monkeypatch.setattr(idempotency, "WAIT_SECONDS", 120.0)
    before = patent_count(file_app)
    body = patent_data(title="同一幂等键的并发重试")
    responses, lock = [], threading.Lock()

    def retry(n: int) -> None:
        response = file_app.test_client().post(
            "/api/v1/patents", json=body, headers={**file_app.config["TEST_HEADERS"], HEADER: "one-key"})
        with lock:
            responses.append(response)

    run_threads(retry, THREADS)
    assert [r.status_code for r in responses] == [201] * THREADS
    assert len({r.get_json()["id"] for r in responses}) == 1
    assert sum(REPLAYED_HEADER not in r.headers for r in responses) == 1
    assert patent_count(file_app) == before + 1


def test_a_retry_answers_409_naming_the_header_while_the_first_request_is_still_running(file_app, monkeypatch):
    monkeypatch.setattr(idempotency, "WAIT_SECONDS", 0.2)
    body = json.dumps(patent_data(title="仍在处理的第一次请求"), ensure_ascii=False).encode()
    with file_app.app_context():  # the first request's claim, its response not stored yet
        db.session.add(IdempotencyKey(principal=file_app.config["TEST_PRINCIPAL"], method="POST",
                                      path="/api/v1/patents", key="still-running",
                                      request_hash=hashlib.sha256(body).hexdigest()))
        db.session.commit()
        db.session.remove()
    before = patent_count(file_app)
    response = file_app.test_client().post("/api/v1/patents", data=body, content_type="application/json",
                                           headers={**file_app.config["TEST_HEADERS"], HEADER: "still-running"})
    assert response.status_code == 409 and HEADER in response.get_json()["errors"]
    assert patent_count(file_app) == before
