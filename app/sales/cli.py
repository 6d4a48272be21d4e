"""``flask sales close``: the scheduled job (every minute) closing notice periods and auctions whose time is up."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from app.sales.service import sales_service

cli = AppGroup("sales", help="Public sales (挂牌, auctions, open licences) maintenance.")


@cli.command("close")
def close_command():
    """Close every 挂牌 notice period and auction that has ended (deals opened, deposits refunded)."""
    closed = sales_service.close_due()
    click.echo(f"closed {len(closed)} sale(s): {', '.join(map(str, closed)) or '-'}")
