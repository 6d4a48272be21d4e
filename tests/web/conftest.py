"""Page-test helpers: log a test client in without a password round trip, and keep the search index out of
the way (page tests check pages and the database; search has its own tests)."""
from __future__ import annotations

import pytest
from flask_login.utils import _create_identifier


@pytest.fixture
def no_index_drain(app, monkeypatch):
    """Outbox rows are still written (and rolled back) but the embedded index is not updated after commits."""
    monkeypatch.setitem(app.config, "SEARCH_DRAIN_AFTER_COMMIT", False)


@pytest.fixture
def login(app, client, db_session):
    """``login(user)`` → the test client with ``user``'s session (``None``: anonymous), set up the way
    Flask-Login's ``FlaskLoginClient`` does, plus the session identifier "strong" session protection checks.

    It first commits what the test set up (a savepoint inside the test's rolled-back transaction): a request
    whose unit of work rolls back must not take the test's factory rows with it.
    """
    with app.test_request_context(environ_base=client.environ_base):  # the address and agent the client sends
        identifier = _create_identifier()

    def as_user(user):
        db_session.commit()
        with client.session_transaction() as session:
            session.clear()
            if user is not None:
                session["_user_id"] = user.get_id()  # "<id>:<session version>"
                session["_fresh"] = True
                session["_id"] = identifier
        return client

    return as_user
