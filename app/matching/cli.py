"""``flask match …``: matches for scripts and evaluation, and embedding maintenance."""
from __future__ import annotations

import json

import click
from flask.cli import AppGroup
from sqlalchemy import select
from tqdm import tqdm

from app.core.cli import RegisteredChoice
from app.core.extensions import db
from app.core.identity import Identity
from app.demands.models import TechDemand
from app.listings.registry import kinds, listing_services
from app.matching import embeddings, service

cli = AppGroup("match", help="Matching between demands, patents and services.")


@cli.command("demand")
@click.argument("external_ids", nargs=-1, required=True)
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 1000))
@click.option("--json", "as_json", is_flag=True, help="One JSON line per demand.")
def match_demand(external_ids, limit, as_json):
    """Rank patents for demands identified by their import ``external_id``."""
    for external_id in external_ids:
        demand = db.session.scalar(select(TechDemand).where(TechDemand.external_id == external_id))
        if demand is None:
            line = {"demand": external_id, "error": "no demand with this external_id", "matches": []}
            click.echo(json.dumps(line, ensure_ascii=False) if as_json else f"{external_id}: not found", err=not as_json)
            continue
        results = service.rank(Identity.system(), service.DEMAND_TO_PATENTS, demand, limit=limit)
        if as_json:
            matches = [{"external_id": r.obj.external_id, "id": r.obj.id, "score": r.score,
                        "explanation": r.explanation} for r in results]
            click.echo(json.dumps({"demand": external_id, "matches": matches}, ensure_ascii=False))
        else:
            click.echo(f"{external_id}  {demand.title}")
            for r in results:
                click.echo(f"  {r.score:.3f}  {r.obj.external_id or r.obj.id}  {r.obj.title}")


@cli.command("embed")
@click.option("--resource", "resources", multiple=True, type=RegisteredChoice(kinds))
def embed_command(resources):
    """Back-fill missing or stale embedding vectors and saved listings' query vectors (new listings get theirs
    when indexed; ~40 titles/s)."""
    for resource in resources or listing_services():
        listing = listing_services()[resource]
        ids = db.session.scalars(select(listing.model.id)).all()
        done = queries = 0
        with tqdm(total=len(ids), desc=f"vectors {resource}", unit="listing", disable=not ids) as bar:
            for start in range(0, len(ids), 64):
                objs = listing.get_many(ids[start:start + 64])
                done += embeddings.ensure_embeddings(resource, objs)
                queries += embeddings.ensure_query_vectors(resource, objs)
                bar.update(len(objs))
        click.echo(f"{resource}: {done} vector(s) computed, {queries} query vector(s)")
