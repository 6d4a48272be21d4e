"""``flask schedules daily``: the daily job (cron) of payment schedules — reminders before due dates, overdue
flags to both parties and the admin desk, and the shortfall items of ended royalty years."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from app.schedules.service import schedule_service

cli = AppGroup("schedules", help="Payment schedules: reminders, overdue flags and minimum-royalty shortfalls.")


@cli.command("daily")
def daily_command():
    """Send due-soon reminders and overdue notices (each once), and close ended royalty years."""
    counts = schedule_service.remind()
    shortfalls = schedule_service.close_royalty_years()
    click.echo(f"{counts['reminded']} reminders, {counts['overdue']} overdue notices, "
               f"{len(shortfalls)} shortfall items created")
