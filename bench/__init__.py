"""Benchmarks: retrieval quality on a development benchmark built from ../shared/data, and speed at scale."""
