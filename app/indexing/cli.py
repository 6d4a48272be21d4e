"""``flask search …``: rebuild indexes, show their state, run the outbox worker."""
from __future__ import annotations

import json
import time

import click
from flask.cli import AppGroup
from tqdm import tqdm

from ..listings.registry import listing_services
from . import service

cli = AppGroup("search", help="Search index maintenance.")


@cli.command("reindex")
@click.option("--resource", "resources", multiple=True, type=click.Choice(["patents", "demands", "services"]),
              help="Rebuild only these indexes (default: all).")
def reindex_command(resources):
    """Rebuild indexes from the database (build new, swap, drop old)."""
    for resource in resources or listing_services():
        total = listing_services()[resource].count_all()
        with tqdm(total=total, desc=resource, unit="doc") as bar:
            count = service.reindex(resource, progress=bar.update)
        click.echo(f"{resource}: {count} documents indexed")


@cli.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def status_command(as_json):
    """Document counts per index, outbox backlog and the oldest pending change."""
    state = service.status()
    if as_json:
        click.echo(json.dumps(state, ensure_ascii=False))
        return
    click.echo(f"engine: {state['engine']}")
    for resource, count in state["documents"].items():
        click.echo(f"  {resource:<9} {count:>8} documents")
    click.echo(f"outbox backlog: {state['outbox_backlog']} (oldest pending: {state['oldest_pending'] or '-'})")


@cli.command("worker")
@click.option("--interval", default=2.0, show_default=True, help="Seconds between polls.")
@click.option("--once", is_flag=True, help="Drain once and exit.")
def worker_command(interval, once):
    """Apply pending outbox rows to the engine, then send match alerts (production; the embedded default
    does both in-process after each commit)."""
    from ..matching import alerts

    while True:
        applied = service.drain() + alerts.drain()
        if applied:
            click.echo(f"applied {applied} change(s)")
        if once:
            return
        time.sleep(interval)
