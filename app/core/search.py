"""The search engine as a Flask extension: one engine per app, created lazily from configuration.

It also decides what an unavailable engine (unreachable, or an index missing or damaged) means for a
request: the search API and search page answer 503 with a message saying so, while pages that only show
some search results beside database content (home, a listing's matches) render with a notice instead
(:func:`notice_if_unavailable`). Listing pages themselves come from the database and never need the engine.
"""
from __future__ import annotations

import logging
import threading
from contextlib import contextmanager

from flask import Flask, current_app, g, jsonify, render_template
from flask_babel import lazy_gettext as _l

from app.core.http_errors import _wants_json as wants_json
from search.engine import EngineUnavailable, create_engine

log = logging.getLogger(__name__)
UNAVAILABLE_MESSAGE = _l("Search is unavailable at the moment; the administrators are told. "
                         "Listings can still be opened and edited.")


class SearchExtension:
    """Holds the app's engine: Elasticsearch when ``ELASTICSEARCH_URL`` is set, else embedded tantivy."""

    def __init__(self):
        self._lock = threading.Lock()
        # How many listings of a resource only a reindex would bring into a new empty index; the indexing
        # domain provides it (it knows the outbox), see ``app.indexing.init_app``.
        self.rows_only_a_reindex_restores = lambda resource: 0

    def init_app(self, app: Flask) -> None:
        app.extensions["search"] = self
        self._engines: dict[int, object] = {}

    @property
    def engine(self):
        """The engine of the current app, created on first use (see :meth:`_open`)."""
        app = current_app._get_current_object()
        key = id(app)
        with self._lock:  # no database work under this lock: a thread holding SQLite's write lock may wait for it
            engine = self._engines.get(key)
            if engine is None:
                engine, created = self._open(app)
                self._engines[key] = engine
            else:
                created = ()
        self._mark_incomplete(engine, created)
        return engine

    @staticmethod
    def _open(app: Flask):
        """Create the engine and its missing indexes: (engine, resources whose index was created now)."""
        engine = create_engine(
            url=app.config["ELASTICSEARCH_URL"],
            index_dir=app.config["SEARCH_INDEX_DIR"],
            prefix=app.config["SEARCH_INDEX_PREFIX"],
            plain_json=app.config["ELASTICSEARCH_PLAIN_JSON"],
        )
        try:
            return engine, engine.ensure_indexes()
        except EngineUnavailable as error:  # searches report it; writes wait in the outbox
            log.error("search engine unavailable at start: %s", error)
            return engine, ()

    def _mark_incomplete(self, engine, created) -> None:
        """An index created empty while the database has listings of its resource that no pending outbox row
        will bring (say, a deleted folder) is marked incomplete, so searches fail loudly until reindex."""
        for resource in created:
            rows = self.rows_only_a_reindex_restores(resource)
            if rows:
                log.error("search index of %s was missing (%s listings not in it)", resource, rows)
                engine.mark_incomplete(resource, f"index was missing ({rows} listings in the database); "
                                                 "run `flask search reindex`")

    def reopen(self) -> None:
        """Forget the current app's engine: the next use opens it again, as a new process would."""
        with self._lock:
            self._engines.pop(id(current_app._get_current_object()), None)


search = SearchExtension()


@contextmanager
def notice_if_unavailable():
    """Run the block; if the search engine is unavailable, stop it and show a notice on the page instead."""
    try:
        yield
    except EngineUnavailable as error:
        log.error("search unavailable: %s", error)
        g.search_unavailable = True


def _unavailable(error: EngineUnavailable):
    """503 with a message: JSON under /api (and for JSON clients), the error page elsewhere."""
    log.error("search unavailable: %s", error)
    message = str(UNAVAILABLE_MESSAGE)
    if wants_json():
        return jsonify({"code": 503, "status": "SearchUnavailable", "message": message}), 503
    return render_template("error.html", status=503, message=message), 503


def init_app(app: Flask) -> None:
    """Attach the search extension to ``app``, map an unavailable engine to 503, offer the page notice."""
    search.init_app(app)
    app.register_error_handler(EngineUnavailable, _unavailable)

    @app.context_processor
    def search_notice() -> dict:
        return {"search_unavailable": g.get("search_unavailable", False), "search_unavailable_message": UNAVAILABLE_MESSAGE}
