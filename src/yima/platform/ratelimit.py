"""Rate limits for public endpoints (login, token, scans): a sliding window per key.

Kept in process memory: each app process limits on its own, which bounds a source to
``limit × processes`` a window. A deployment with many processes behind a balancer adds a
limit at the balancer too (docs/operations).
"""

from __future__ import annotations

import math
import time
from collections import deque

from yima.platform.errors import RateLimited


class RateLimiter:
    def __init__(self, limit: int, window_seconds: float = 60.0, max_keys: int = 100_000) -> None:
        self.limit = limit
        self.window = window_seconds
        self.max_keys = max_keys
        self._hits: dict[str, deque[float]] = {}

    def hit(self, key: str) -> None:
        """Count one request for ``key``; raise RateLimited when the window is full."""
        now = time.monotonic()
        hits = self._hits.get(key)
        if hits is None:
            if len(self._hits) >= self.max_keys:
                self._evict(now)
            hits = self._hits[key] = deque()
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            # the window frees a place when its oldest request leaves it
            wait = max(1, math.ceil(hits[0] + self.window - now))
            raise RateLimited(f"too many requests; try again in {wait} s", retry_after=wait)
        hits.append(now)

    def reset(self) -> None:
        self._hits.clear()

    def _evict(self, now: float) -> None:
        stale = [k for k, v in self._hits.items() if not v or v[-1] <= now - self.window]
        for key in stale:
            del self._hits[key]
        if len(self._hits) >= self.max_keys:
            self._hits.clear()
