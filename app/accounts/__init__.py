"""User accounts, login sessions and API tokens."""
