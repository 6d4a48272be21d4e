"""Matching: ranked, explained demand ↔ patent ↔ service matches, stored matches, saved searches and alerts."""
