"""Portfolio import and export: JSON Lines and CSV, one listing per line, keyed by ``external_id``."""
