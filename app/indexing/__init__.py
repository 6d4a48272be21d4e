"""Keeping the search index true: the transactional outbox and the worker that drains it."""
from __future__ import annotations

from app.core import wiring
from app.core.outbox import register_background_drain
from app.core.search import search


def init_app(app) -> None:
    """Wire the ``flask search`` commands, the search outbox's drain (first of the worker's drains) and the
    count the search extension needs to tell a new empty index from a damaged one."""
    from app.indexing import cli, service  # its own modules, loaded when the app is wired, not on import

    wiring.register(app, commands=[cli.cli])
    register_background_drain(app, service.drain)
    search.rows_only_a_reindex_restores = service.rows_only_a_reindex_restores
