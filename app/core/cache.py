"""A bounded, thread-safe LRU mapping for per-process caches whose keys carry the data version they depend on.

Entries are never invalidated by hand: a key holds everything the value depends on (a data version among it),
so after a change the old entries simply become unreachable and age out.
"""
from __future__ import annotations

import threading
import weakref
from collections import OrderedDict

_caches: weakref.WeakSet = weakref.WeakSet()


class LRUCache:
    """At most ``size`` entries; ``get`` refreshes an entry, ``put`` evicts the least recently used."""

    def __init__(self, size: int = 2048):
        self.size, self._entries, self._lock = size, OrderedDict(), threading.Lock()
        _caches.add(self)

    def get(self, key):
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        return None

    def put(self, key, value) -> None:
        with self._lock:
            self._entries[key] = value
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        """Drop every entry."""
        with self._lock:
            self._entries.clear()


def clear_all() -> None:
    """Empty every cache of this process: a test whose data was rolled back can meet the same data versions
    (outbox ids, vector counters) as a later test with other data, which no deployment does."""
    for cache in list(_caches):
        cache.clear()
