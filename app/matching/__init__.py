"""Matching: ranked, explained demand ↔ patent ↔ service matches, stored matches, saved searches and alerts."""
from __future__ import annotations

from app.core import wiring
from app.core.outbox import register_background_drain
from app.indexing.signals import index_synced
from app.listings.signals import listing_published


def init_app(app) -> None:
    """Wire the matching pages, API and commands; queue match alerts when a listing is first published and
    vectors when listings reach the index; the alert outbox drains after the search outbox (alerts search
    the index, so it must hold the new listing first)."""
    from app.matching import alerts, api, cli, embeddings, views  # its own modules, loaded when wired

    wiring.register(app, views=[views.bp], apis=[api.blp], commands=[cli.cli])
    listing_published.connect(alerts.queue_alerts)
    index_synced.connect(embeddings.embed_synced)
    register_background_drain(app, alerts.drain)
