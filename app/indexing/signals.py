"""What the indexing domain tells others; receivers connect in their own ``init_app``."""
from __future__ import annotations

from blinker import Namespace

# Sent after listings were written to the index and the drain let go of its transaction and of the index's
# writer lease (resource, ids=…): work that follows a listing's text, such as its embedding vector, hangs on it
# instead of on every write path, and holds up neither the index nor other writers while it runs.
index_synced = Namespace().signal("index-synced")
