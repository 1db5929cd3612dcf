"""A small in-process limit on the public feedback routes: so many requests a minute per client address."""

# The token is unguessable, so this is not what keeps links safe; it keeps one address from flooding the public,
# login-free route (and the audit chain it writes to). Per process: each server worker counts on its own.

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from qorgau.core.errors import QorgauError

WINDOW_S = 60.0
MAX_KEYS = 10_000  # addresses remembered at once; the oldest are forgotten first


class RateLimiter:
    """A sliding window of request times per key."""

    def __init__(self, limit: int, window_s: float = WINDOW_S, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window_s, self._clock = limit, window_s, clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, key: str) -> None:
        """Count a request; 429 `feedback.too_many` with Retry-After once the key is over its limit."""
        now = self._clock()
        with self._lock:
            hits = self._hits.pop(key, None) or deque()
            while hits and hits[0] <= now - self.window_s:
                hits.popleft()
            self._hits[key] = hits  # re-inserted: the dict's order is the least recently seen first
            if len(self._hits) > MAX_KEYS:
                del self._hits[next(iter(self._hits))]
            if len(hits) >= self.limit:
                retry = max(1, int(hits[0] + self.window_s - now) + 1)
                raise QorgauError("feedback.too_many", status=429, params={"retry_after": retry},
                                  headers={"Retry-After": str(retry)})
            hits.append(now)
