"""What listings tell other domains; receivers connect in their own ``init_app``."""
from __future__ import annotations

from blinker import Namespace

# Sent as ``listing_published.send(resource, obj=..., uow=...)`` inside the transaction that first publishes a
# listing; receivers (match alerts) register their own after-commit work on ``uow``.
_signals = Namespace()
listing_published = _signals.signal("listing-published")
# Sent as ``listing_decided.send(resource, obj=..., decision=..., reason=..., edits=..., uow=...)`` inside the
# transaction of every moderation decision (``edits``: the decision was on a published listing's pending edits);
# receivers (the owner's notification) write in the same transaction.
listing_decided = _signals.signal("listing-decided")
