"""Payments: Stripe (or the test provider) PaymentIntents held by the platform, a double-entry ledger, releases,
refunds and seller payouts (Stripe Connect transfers or manual bank payouts recorded by an admin)."""
from __future__ import annotations

from app.core import wiring


def init_app(app) -> None:
    """Wire the payment pages, the API (with the Stripe webhook) and the reconciliation commands."""
    from app.payments import api, cli, views  # its own modules, loaded when the app is wired, not on import

    wiring.register(app, views=[views.bp], apis=[api.blp], commands=[cli.cli])
