"""Search for TechBridge: one analysis pipeline, one query model, two engines (tantivy embedded, Elasticsearch).

``search.analysis`` turns Chinese/English text into tokens; ``search.query`` is the engine-neutral request
model; ``search.specs`` says how each resource's documents are indexed; ``search.engine.create_engine``
picks the engine from configuration.
"""
