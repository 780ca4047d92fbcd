"""In-process caches of facts that never change for a brand (keys, prefixes) or change rarely
(``TtlCache``), registered here so tests — which roll brands back and reuse their ids — can
drop them all at once."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")
_clearers: list[Callable[[], None]] = []


def register(clear: Callable[[], None]) -> Callable[[], None]:
    _clearers.append(clear)
    return clear


def clear_all() -> None:
    for clear in _clearers:
        clear()


class TtlCache(Generic[K, V]):
    """Facts that change rarely (a product's name, GTIN, packaging) kept for ``ttl`` seconds in
    this process: the hot paths (packing, the scan, the lifecycle) skip a query for each. A change
    made in this process drops its entry at once; other worker processes see it within ``ttl``."""

    def __init__(self, ttl: float, size: int = 10_000) -> None:
        self._ttl, self._size = ttl, size
        self._entries: dict[K, tuple[float, V]] = {}
        register(self.clear)

    def get(self, key: K) -> V | None:
        found = self._entries.get(key)
        if found is None:
            return None
        if found[0] < time.monotonic():
            self._entries.pop(key, None)
            return None
        return found[1]

    def put(self, key: K, value: V) -> None:
        if len(self._entries) >= self._size:
            self._entries.clear()  # rare: a brand with more products than the bound
        self._entries[key] = (time.monotonic() + self._ttl, value)

    def drop(self, key: K) -> None:
        self._entries.pop(key, None)

    def clear(self) -> None:
        self._entries.clear()
