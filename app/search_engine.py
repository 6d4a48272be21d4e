"""The search engine as a Flask extension: one engine per app, created lazily from configuration."""
from __future__ import annotations

import threading

from flask import Flask, current_app


class SearchExtension:
    """Holds the app's engine: Elasticsearch when ``ELASTICSEARCH_URL`` is set, else embedded tantivy."""

    def __init__(self):
        self._lock = threading.Lock()

    def init_app(self, app: Flask) -> None:
        app.extensions["search"] = self
        self._engines: dict[int, object] = {}

    @property
    def engine(self):
        """The engine of the current app, created on first use."""
        app = current_app._get_current_object()
        key = id(app)
        with self._lock:
            if key not in self._engines:
                from search.engine import create_engine

                self._engines[key] = create_engine(
                    url=app.config["ELASTICSEARCH_URL"],
                    index_dir=app.config["SEARCH_INDEX_DIR"],
                    prefix=app.config["SEARCH_INDEX_PREFIX"],
                    plain_json=app.config["ELASTICSEARCH_PLAIN_JSON"],
                )
                self._engines[key].ensure_indexes()
            return self._engines[key]


search = SearchExtension()


def init_app(app: Flask) -> None:
    """Attach the search extension to ``app``."""
    search.init_app(app)
