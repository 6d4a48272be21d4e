"""Demo data: organisations, one user per role, real patents, written demands and service offers."""
