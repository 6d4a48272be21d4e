"""``flask calls open-evaluations``: the scheduled job that moves calls past their deadline into evaluation and
tells their enterprises (run it every few minutes, like ``flask deals expire``)."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from app.calls.service import calls_service

cli = AppGroup("calls", help="Calls for solutions maintenance.")


@cli.command("open-evaluations")
def open_evaluations_command():
    """Open the evaluation of every published call whose deadline passed."""
    opened = calls_service.open_evaluations()
    click.echo(f"opened the evaluation of {len(opened)} call(s): {opened}")
