"""A server drains the outbox in a thread of its own: a write answers as soon as its data is saved, whatever the
drain has to do (a backlog, vectors to compute), and a drain that fails is retried there, never raised."""
from __future__ import annotations

import threading
import time

import pytest
from flask_migrate import upgrade

from app import create_app
from app.core import outbox
from app.core.extensions import db
from app.core.identity import Identity
from app.discovery import service as discovery
from app.indexing import service as indexing
from app.orgs.models import OrgKind, VerificationStatus
from app.patents.service import patents_service
from tests.conftest import app_settings
from tests.factories import OrganisationFactory, make_listing

TITLE = "后台索引线程测试用高镍三元正极材料"


@pytest.fixture(scope="module")
def server_app(tmp_path_factory):
    """An app on its own SQLite file configured as a server runs: drained after commit, in the background."""
    folder = tmp_path_factory.mktemp("background")
    application = create_app(app_settings(folder, f"sqlite:///{folder / 'site.sqlite3'}", TESTING=True,
                                          SEARCH_DRAIN_AFTER_COMMIT=True, OUTBOX_DRAIN_IN_BACKGROUND=True))
    with application.app_context():
        upgrade()
        OrganisationFactory._meta.sqlalchemy_session = db.session
        org = OrganisationFactory(kind=OrgKind.university, verification_status=VerificationStatus.verified)
        db.session.commit()
        application.config["TEST_ORG"] = org.id
        db.session.remove()
    yield application
    # Its drain threads would otherwise keep using the shared session registry, which other tests rebind.
    outbox.stop_background_drains(application)


def publish(app, title: str) -> int:
    """Approve a new pending patent (a commit that queues an index row); returns its id."""
    with app.app_context():
        from app.orgs.models import Organisation

        listing = make_listing("patents", db.session.get(Organisation, app.config["TEST_ORG"]), status="pending",
                               title=title)
        listing_id = listing.id
        patents_service.moderate(Identity.system(), listing_id, "approve", None)
        db.session.remove()
        return listing_id


def found(app, title: str) -> bool:
    with app.test_request_context("/search/patents"):
        return bool(discovery.search_listings(Identity.anonymous(), "patents", {"q": title, "page": 1, "per_page": 5})["hits"])


def wait_for(condition, seconds: float = 15.0) -> bool:
    """Poll ``condition`` until it holds or ``seconds`` pass (a deadline for a busy machine, not a timing claim)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_a_write_returns_while_its_drain_still_runs_in_another_thread(server_app, monkeypatch):
    gate, ran_in = threading.Event(), []

    def slow_drain() -> int:
        ran_in.append(threading.current_thread().name)
        gate.wait(30)
        return 0

    monkeypatch.setattr(indexing, "drain", slow_drain)
    publish(server_app, "一种阻塞排空时仍可保存的材料")  # returns although the drain is held at the gate
    assert wait_for(lambda: ran_in)
    assert ran_in[0] != threading.current_thread().name and ran_in[0].startswith("drain-")
    gate.set()


def test_a_published_listing_becomes_searchable_without_another_write(server_app):
    publish(server_app, TITLE)
    assert wait_for(lambda: found(server_app, TITLE))


def test_a_failed_drain_is_retried_by_the_thread_not_raised_to_the_writer(server_app, monkeypatch):
    monkeypatch.setattr(outbox, "POLL_SECONDS", 0.1)
    calls = []

    def flaky_drain() -> int:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("engine unreachable")
        return real_drain()

    real_drain = indexing.drain
    monkeypatch.setattr(indexing, "drain", flaky_drain)
    title = "失败后由后台线程重试的钠离子电池负极"
    publish(server_app, title)  # no exception reaches the writer
    assert wait_for(lambda: len(calls) >= 2)
    assert wait_for(lambda: found(server_app, title))
