"""Payments: Stripe (or the test provider) PaymentIntents held by the platform, a double-entry ledger, releases,
refunds and seller payouts (Stripe Connect transfers or manual bank payouts recorded by an admin)."""
