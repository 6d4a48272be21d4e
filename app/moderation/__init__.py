"""Moderation of listings and verification of organisations, with an append-only audit log."""
