"""Market figures for platform admins (read-only)."""
