"""``flask deals …``: the scheduled job that expires stale deal stages.

Run it daily (cron, a systemd timer, a Kubernetes CronJob): ``flask --app wsgi deals expire``. A stage that
waits on a party expires ``DEAL_STAGE_DEADLINE_DAYS`` days after the deal last moved; stages waiting on a
platform admin, or with money held, never expire (a dispute is the way out there).
"""
from __future__ import annotations

from flask.cli import AppGroup

from app.deals.service import deals_service
from app.transactions.cli import expire_command

cli = AppGroup("deals", help="Deal workflow maintenance.")


cli.add_command(expire_command(deals_service, "deals"))
