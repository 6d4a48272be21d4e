"""``flask import <kind> FILE`` and ``flask export <kind> FILE``: portfolio files from the shell.

Shell imports act as the platform (an admin import): ``--publish`` publishes directly.
"""
from __future__ import annotations

import io
import json
from pathlib import Path

import click
from flask.cli import AppGroup
from tqdm import tqdm

from app.core.identity import Identity
from app.listings.registry import kind, kinds
from app.orgs import service as orgs
from app.portfolio.formats import FORMATS, FormatError, count_records, decode, detect_format, encode
from app.portfolio.service import export_records, import_records

PROGRESS_MIN_RECORDS = 1000  # smaller files finish before a bar is worth drawing



def _org(name: str, resource: str, create: bool):
    org = orgs.find_by_name(name)
    if org is None and create:
        org = orgs.ensure_demo_org(name, kind(resource).owner_kind)
    if org is None:
        raise click.BadParameter(f"no organisation called {name!r} (add --create-org to create a demo one)",
                                 param_hint="--org")
    return org


def _format(file: str, declared: str | None) -> str:
    try:
        return detect_format(file, declared)
    except FormatError as error:
        raise click.BadParameter(str(error), param_hint="--format") from None


def summary(resource: str, report: dict) -> str:
    """One line: what the import did."""
    return (f"{resource}: {report['read']} read, {report['imported']} imported, {report['updated']} updated, "
            f"{report['unchanged']} unchanged, {report['failed']} failed")


def _import_command(group, resource: str):
    @group.command(resource, help=f"Import {resource} from FILE (JSON Lines, or CSV by extension or --format).")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False))
    @click.option("--org", "org_name", required=True, help="Owning organisation (by name).")
    @click.option("--create-org", is_flag=True, help="Create the organisation (verified, as demo data) if absent.")
    @click.option("--publish", is_flag=True, help="Publish directly (an admin import).")
    @click.option("--format", "fmt", type=click.Choice(FORMATS), help="File format (default: by extension).")
    @click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
    def command(file, org_name, create_org, publish, fmt, as_json):
        fmt = _format(file, fmt)
        try:
            text = decode(Path(file).read_bytes())
        except FormatError as error:
            raise click.BadParameter(str(error), param_hint="FILE") from None
        org = _org(org_name, resource, create_org)
        total = count_records(text, fmt)
        with tqdm(total=total, desc=resource, unit="rec", disable=total < PROGRESS_MIN_RECORDS) as bar:
            report = import_records(Identity.system(), resource, org, io.StringIO(text), fmt, publish=publish,
                                    progress=bar.update).as_dict()
        if as_json:
            click.echo(json.dumps(report, ensure_ascii=False))
        else:
            for error in report["errors"]:
                click.echo(f"line {error['line']} ({error['external_id'] or '-'}): {'; '.join(error['messages'])}",
                           err=True)
            for warning in report["warnings"]:
                click.echo(f"line {warning['line']} ({warning['external_id'] or '-'}): note: "
                           f"{'; '.join(warning['notes'])}", err=True)
            click.echo(summary(resource, report))
        if report["failed"]:
            raise SystemExit(1)  # the good rows are imported; a non-zero status tells scripts some were not

    return command


def _export_command(group, resource: str):
    @group.command(resource, help=f"Export an organisation's {resource} to FILE.")
    @click.argument("file", type=click.Path(dir_okay=False, writable=True))
    @click.option("--org", "org_name", required=True, help="Organisation (by name).")
    @click.option("--format", "fmt", type=click.Choice(FORMATS), help="File format (default: by extension).")
    def command(file, org_name, fmt):
        fmt = _format(file, fmt)
        org = _org(org_name, resource, create=False)
        text = export_records(Identity.system(), resource, org, fmt)
        Path(file).write_bytes(encode(text, fmt))
        click.echo(f"{resource}: exported to {file}")

    return command


def commands() -> list:
    """``flask import <kind>`` and ``flask export <kind>`` for every listing kind registered now."""
    import_cli = AppGroup("import", help="Import listings from JSON Lines or CSV (one record per line).")
    export_cli = AppGroup("export", help="Export an organisation's listings as JSON Lines or CSV.")
    for resource in kinds():
        _import_command(import_cli, resource)
        _export_command(export_cli, resource)
    return [import_cli, export_cli]
