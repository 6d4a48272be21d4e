"""``flask payments …``: check the ledger against Stripe, retry provider calls left pending and list the payouts
waiting for a bank transfer."""
from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from app.core.identity import Identity
from app.payments import calls, service
from app.payments.models import format_money

cli = AppGroup("payments", help="Payments: reconciliation with Stripe, pending provider calls and the payout queue.")


@cli.command("reconcile")
def reconcile_command():
    """Compare every Stripe payment with the ledger; exits 1 when any disagrees."""
    payments = service.stripe_payments()
    differences = [d for d in (service.reconcile(p) for p in payments) if d]
    for difference in differences:
        click.echo(difference)
    click.echo(f"{len(payments)} Stripe payments checked, {len(differences)} disagree with the ledger")
    if differences:
        sys.exit(1)


@cli.command("retry")
def retry_command():
    """Make again, with their idempotency keys, the calls to Stripe left pending; exits 1 when some still are."""
    completed, pending = calls.retry_pending()
    click.echo(f"{completed} provider calls completed, {pending} still pending")
    if pending:
        sys.exit(1)


@cli.command("payouts")
def payouts_command():
    """List the payouts waiting for a manual bank transfer (record them in the admin page or the API)."""
    rows, total = service.list_payouts(Identity.system(), status="pending", per_page=1000)
    for payout in rows:
        note = f"  ({payout.failure_message})" if payout.failure_message else ""
        click.echo(f"#{payout.id}  org {payout.org_id}  {format_money(payout.amount, payout.currency)}"
                   f"  {payout.method.value}{note}")
    click.echo(f"{total} pending payouts")
