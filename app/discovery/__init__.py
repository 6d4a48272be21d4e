"""Search for people: full-text search with filters, facets, highlights, suggestions and similar listings."""
