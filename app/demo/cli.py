"""``flask seed-demo``: idempotent demo data for a first run (everything labelled as demo)."""
from __future__ import annotations

import io
import json

import click
from flask.cli import with_appcontext

from app.accounts import service as accounts
from app.analytics.demo import seed_market
from app.core.identity import Identity
from app.demo import seed
from app.orgs import service as orgs
from app.portfolio.service import import_records


def _publish(resource: str, org, records: list[dict]) -> dict:
    """Import ``records`` as published listings of ``org`` (an admin import: upsert, search outbox)."""
    lines = io.StringIO("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    return import_records(Identity.system(), resource, org, lines, "jsonl", publish=True).as_dict()


@click.command("seed-demo")
@with_appcontext
def cli():
    """Create demo organisations, users, patents, research achievements, demands and services (safe to run again:
    nothing changes)."""
    org_of = {spec: orgs.ensure_demo_org(spec.name, spec.kind, spec.region) for spec in seed.ORGANISATIONS}
    click.echo(f"{len(org_of)} demo organisations (verified, labelled demo)")
    failed = 0
    for resource, owned in (("patents", seed.patents_by_owner()), ("patents", seed.achievements_by_owner()),
                            ("demands", seed.demands_by_owner()), ("services", seed.services_by_owner())):
        for spec, records in owned.items():
            report = _publish(resource, org_of[spec], records)
            click.echo(f"{resource} of {spec.name}: {report['imported']} imported, {report['updated']} updated, "
                       f"{report['unchanged']} unchanged, {report['failed']} failed")
            failed += report["failed"]
            for error in report["errors"]:
                click.echo(f"  line {error['line']} ({error['external_id']}): {'; '.join(error['messages'])}", err=True)
    click.echo("\nDemo accounts (DEMO DATA ONLY, never use these passwords in production):")
    for email, name, role, spec in seed.USERS:
        _, created = accounts.ensure_demo_user(org_of[spec], email, name, role, seed.DEMO_PASSWORD)
        click.echo(f"  {'created' if created else 'exists '}  {email:<30} {role:<15} {spec.name}  "
                   f"password: {seed.DEMO_PASSWORD}")

    click.echo(f"\n{seed_market()} demo deals and service orders added for the dashboards")
    if failed:
        raise click.ClickException(f"{failed} demo records were refused (see above)")
