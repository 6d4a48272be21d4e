"""Commands every paid workflow has."""
from __future__ import annotations

import click


def expire_command(service, noun: str):
    """A click command expiring the stale subjects of ``service`` (shared with service orders)."""

    @click.command("expire")
    def expire():
        expired = service.expire_stale()
        click.echo(f"{len(expired)} {noun} expired" + (f": {', '.join(map(str, expired))}" if expired else ""))

    expire.help = f"Expire {noun} whose current stage passed its deadline (DEAL_STAGE_DEADLINE_DAYS)."
    return expire
