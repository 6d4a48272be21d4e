"""Shared fixtures: one app per test session on a schema built by the migrations, and a function-scoped
database session that rolls back everything a test wrote.

``TEST_DATABASE_URL`` selects the database (CI: PostgreSQL); without it the tests use a SQLite file.
"""
from __future__ import annotations

import os
import socket
import uuid

import pytest
from flask import g, has_request_context, request_started
from flask_migrate import upgrade
from sqlalchemy import create_engine, make_url, text

from app import create_app
from app.core.extensions import db
from app.core.identity import Identity

pytest_plugins = ["tests.factories", "tests.payments.fixtures", "tests.concurrency"]  # payment fixtures serve deals too


def _database_url(tmp_path_factory) -> str:
    """``TEST_DATABASE_URL``, or a SQLite file; under pytest-xdist each worker gets a database of its own."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    base = make_url(url)
    own = base.set(database=f"{base.database}_{worker}")
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": own.database}):
            conn.execute(text(f'CREATE DATABASE "{own.database}"'))
    admin.dispose()
    return own.render_as_string(hide_password=False)


def _reset_postgres_schema(engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))


def pytest_sessionfinish(session, exitstatus):
    """In CI (``CI_FAIL_ON_SKIP=1``) a skipped test is a failure: browsers, engines and servers must run."""
    if os.environ.get("CI_FAIL_ON_SKIP") != "1":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.write_line(f"CI_FAIL_ON_SKIP: {len(skipped)} test(s) skipped", red=True)
        session.exitstatus = 1


def app_settings(folder, database_url: str, **overrides) -> dict:
    """Settings of a test application whose database, index and uploads live in ``folder`` (or ``database_url``)."""
    return {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret-" + "x" * 32,
        "SEARCH_INDEX_DIR": str(folder / "search"),
        "SEARCH_INDEX_PREFIX": f"test-{uuid.uuid4().hex[:8]}",
        "UPLOAD_DIR": str(folder / "uploads"),
        "RATELIMIT_ENABLED": False,
        "EMBED_AFTER_INDEX": False,  # tests that need vectors turn it on (tests/matching)
        "OUTBOX_DRAIN_IN_BACKGROUND": False,  # a test reads what its write queued at once
        **overrides,
    }



@pytest.fixture(autouse=True)
def empty_process_caches():
    """Each test starts with empty per-process caches (see ``app.core.cache.clear_all``)."""
    from app.core.cache import clear_all

    clear_all()


@pytest.fixture(autouse=True)
def no_leaked_request_context():
    """A request context a test pushes and never pops would set the language of every later test."""
    yield
    assert not has_request_context(), "the test left a request context pushed"


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    """The application, with its schema built by ``flask db upgrade`` (as in production)."""
    instance = tmp_path_factory.mktemp("instance")
    application = create_app(app_settings(instance, _database_url(tmp_path_factory), WTF_CSRF_ENABLED=False,
                                           TESTING=True))
    with application.app_context():
        if db.engine.dialect.name == "postgresql":
            _reset_postgres_schema(db.engine)
        upgrade()
        db.session.remove()
    return application


@pytest.fixture
def db_session(app):
    """A session whose commits are savepoints inside one outer transaction rolled back after the test."""
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        db.session.remove()
        db.session.configure(bind=connection, join_transaction_mode="create_savepoint")
        try:
            yield db.session
        finally:
            db.session.remove()
            outer.rollback()
            connection.close()
            db.session.configure(bind=None)


@pytest.fixture
def client(app, db_session):
    """A test client sharing the rolled-back session.

    Its requests reuse the test's app context, whose ``g`` caches the logged-in user (Flask-Login): without
    emptying ``g`` when each request starts, one request's user would act in the next (e.g. an "anonymous" one).
    """

    def fresh_g(sender, **extra):
        for name in list(vars(g)):
            delattr(g, name)

    request_started.connect(fresh_g, app)
    yield app.test_client()
    request_started.disconnect(fresh_g, app)


@pytest.fixture
def system():
    return Identity.system()


@pytest.fixture
def app_engine(app, db_session):
    """The application's own engine, emptied for this test (the database rolls back; the index must too)."""
    from app.core.search import search

    engine = search.engine
    engine.drop_all()
    engine.ensure_indexes()
    return engine


@pytest.fixture
def smtp_server(app, monkeypatch):
    """A real SMTP server (aiosmtpd) on 127.0.0.1; the app sends to it. Yields the list of received messages."""
    from email import message_from_bytes, policy

    from aiosmtpd.controller import Controller

    received = []

    class Collect:
        async def handle_DATA(self, server, session, envelope):
            received.append(message_from_bytes(envelope.original_content, policy=policy.default))
            return "250 OK"

    with socket.socket() as probe:  # aiosmtpd checks readiness by connecting, so it needs a real port number
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Collect(), hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "SMTP_PORT", port)
    yield received
    controller.stop()
