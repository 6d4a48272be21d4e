"""``flask deals …``: the scheduled job that expires stale deal stages.

Run it daily (cron, a systemd timer, a Kubernetes CronJob): ``flask --app wsgi deals expire``. A stage that
waits on a party expires ``DEAL_STAGE_DEADLINE_DAYS`` days after the deal last moved; stages waiting on a
platform admin, or with money held, never expire (a dispute is the way out there).
"""
from __future__ import annotations

import click
from flask.cli import AppGroup

from app.deals.service import deals_service

cli = AppGroup("deals", help="Deal workflow maintenance.")


def expire_command(service, noun: str):
    """A click command expiring the stale subjects of ``service`` (shared with service orders)."""

    @click.command("expire")
    def expire():
        expired = service.expire_stale()
        click.echo(f"{len(expired)} {noun} expired" + (f": {', '.join(map(str, expired))}" if expired else ""))

    expire.help = f"Expire {noun} whose current stage passed its deadline (DEAL_STAGE_DEADLINE_DAYS)."
    return expire


cli.add_command(expire_command(deals_service, "deals"))
