"""``flask search …``: rebuild indexes, show and verify their state, run the outbox worker."""
from __future__ import annotations

import json
import time

import click
from flask import current_app
from flask.cli import AppGroup
from tqdm import tqdm

from app.core.cli import RegisteredChoice
from app.core.outbox import drain_everything
from app.indexing import service
from app.indexing.sources import sources
from search.engine import EngineUnavailable

cli = AppGroup("search", help="Search index maintenance.")


@cli.command("reindex")
@click.option("--resource", "resources", multiple=True, type=RegisteredChoice(sources),
              help="Rebuild only these indexes (default: all).")
def reindex_command(resources):
    """Rebuild indexes from the database (build new, swap, drop old), whatever state the index folder is in."""
    try:
        for resource in resources or sources():
            total = sources()[resource].count_all()
            with tqdm(total=total, desc=resource, unit="doc") as bar:
                count = service.reindex(resource, progress=bar.update)
            click.echo(f"{resource}: {count} documents indexed")
    except EngineUnavailable as error:
        raise click.ClickException(f"search engine unavailable: {error}") from error


@cli.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def status_command(as_json):
    """Index against database per resource, outbox backlog and the oldest pending change; exit 1 when degraded."""
    state = service.status()
    if as_json:
        click.echo(json.dumps(state, ensure_ascii=False))
    else:
        click.echo(f"engine: {state['engine']} — {'DEGRADED' if state['degraded'] else 'ok'}")
        for resource, row in state["resources"].items():
            documents = "-" if row["documents"] is None else row["documents"]
            line = f"  {resource:<9} {documents:>8} documents / {row['database']:>8} in the database"
            click.echo(line + (f"  degraded: {row['problem']}" if row["problem"] else ""))
        click.echo(f"outbox backlog: {state['outbox_backlog']} (oldest pending: {state['oldest_pending'] or '-'})")
    if state["degraded"]:
        raise SystemExit(1)


@cli.command("verify")
def verify_command():
    """Rebuild every index that is missing, damaged or drifted from the database (run it from cron)."""
    try:
        repaired = service.verify()
    except EngineUnavailable as error:
        raise click.ClickException(f"search engine unavailable: {error}") from error
    for resource, problem in repaired.items():
        click.echo(f"{resource}: rebuilt ({problem})")
    if not repaired:
        click.echo("every index agrees with the database")


@cli.command("worker")
@click.option("--interval", default=2.0, show_default=True, help="Seconds between polls.")
@click.option("--once", is_flag=True, help="Drain once and exit.")
def worker_command(interval, once):
    """Apply pending outbox rows to the engine, then send match alerts (production; the embedded default
    does both in-process after each commit)."""
    app = current_app._get_current_object()
    while True:
        applied = drain_everything(app)
        if applied:
            click.echo(f"applied {applied} change(s)")
        if once:
            return
        time.sleep(interval)
