"""``flask import {patents,demands,services} FILE`` and ``flask export …``: portfolio files from the shell."""
from __future__ import annotations

import json
import os

import click
from flask.cli import AppGroup
from tqdm import tqdm

from ..identity import Identity
from ..orgs import service as orgs
from .formats import FORMATS, detect_format
from .service import export_records, import_records

# The organisation kind a ``--create-org`` import creates, per resource.
OWNER_KIND = {"patents": "university", "demands": "enterprise", "services": "service_provider"}
PROGRESS_MIN_BYTES = 256 * 1024  # show a progress bar on files larger than this

cli = AppGroup("import", help="Import listings from JSON Lines or CSV (one record per line).")
export_cli = AppGroup("export", help="Export an organisation's listings as JSON Lines or CSV.")


def _org(name: str, resource: str, create: bool):
    org = orgs.find_by_name(name)
    if org is None and create:
        org = orgs.ensure_demo_org(name, OWNER_KIND[resource])
    if org is None:
        raise click.BadParameter(f"no organisation called {name!r} (add --create-org to create a demo one)",
                                 param_hint="--org")
    return org


def _import_command(resource: str):
    @cli.command(resource, help=f"Import {resource} from FILE (JSON Lines, or CSV by extension or --format).")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False))
    @click.option("--org", "org_name", required=True, help="Owning organisation (by name).")
    @click.option("--create-org", is_flag=True, help="Create the organisation (as demo data) if absent.")
    @click.option("--publish", is_flag=True, help="Publish directly (an admin import).")
    @click.option("--format", "fmt", type=click.Choice(FORMATS), help="File format (default: by extension).")
    @click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
    def command(file, org_name, create_org, publish, fmt, as_json):
        org = _org(org_name, resource, create_org)
        fmt = detect_format(file, fmt)
        with open(file, encoding="utf-8-sig", newline="") as stream, \
                tqdm(desc=resource, unit="rec", disable=os.path.getsize(file) < PROGRESS_MIN_BYTES) as bar:
            report = import_records(Identity.system(), resource, org, stream, fmt, publish=publish,
                                    progress=bar.update).as_dict()
        if as_json:
            click.echo(json.dumps(report, ensure_ascii=False))
        else:
            for error in report["errors"]:
                click.echo(f"line {error['line']}: {error['external_id'] or '-'}: "
                           f"{json.dumps(error['errors'], ensure_ascii=False)}", err=True)
            click.echo(f"{resource}: {report['created']} created, {report['updated']} updated, "
                       f"{report['unchanged']} unchanged, {report['failed']} failed")
        if report["failed"]:
            raise SystemExit(1)

    return command


def _export_command(resource: str):
    @export_cli.command(resource, help=f"Export an organisation's {resource} to FILE.")
    @click.argument("file", type=click.Path(dir_okay=False, writable=True))
    @click.option("--org", "org_name", required=True, help="Organisation (by name).")
    @click.option("--format", "fmt", type=click.Choice(FORMATS), help="File format (default: by extension).")
    def command(file, org_name, fmt):
        org = _org(org_name, resource, create=False)
        text = export_records(Identity.system(), resource, org, detect_format(file, fmt))
        with open(file, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        click.echo(f"{resource}: exported to {file}")

    return command


for _resource in OWNER_KIND:
    _import_command(_resource)
    _export_command(_resource)
commands = [cli, export_cli]
