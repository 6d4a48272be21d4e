"""Keeping the search index true: the transactional outbox and the worker that drains it."""
