"""Payments: Stripe (or the test provider) PaymentIntents held by the platform, a double-entry ledger, releases,
refunds and seller payouts (Stripe Connect transfers or manual bank payouts recorded by an admin)."""
from __future__ import annotations

from app.core import wiring
from app.core.outbox import register_background_drain


def init_app(app) -> None:
    """Wire the payment pages, the API (with the Stripe webhook), the reconciliation commands and the worker's
    retry of provider calls left pending."""
    from app.payments import api, calls, cli, views  # its own modules, loaded when the app is wired, not on import

    wiring.register(app, views=[views.bp], apis=[api.blp], commands=[cli.cli])
    register_background_drain(app, calls.drain)
