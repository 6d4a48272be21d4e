"""Standalone service orders: a pilot-scale or inspection service ordered from a provider's offer, run on the
deal workflow engine (request → quote → accept → pay → in progress → report delivered → completed)."""
