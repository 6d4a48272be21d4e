"""Engine implementations: tantivy (embedded default) and Elasticsearch (production)."""
