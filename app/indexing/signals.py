"""What the indexing domain tells others; receivers connect in their own ``init_app``."""
from __future__ import annotations

from blinker import Namespace

# Sent after listings were written to the index (resource, ids=…, uow=…): work that follows a listing's
# text, such as its embedding vector, hangs on it instead of on every write path.
index_synced = Namespace().signal("index-synced")
