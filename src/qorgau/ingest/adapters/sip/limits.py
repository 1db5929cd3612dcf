"""Token bucket per source address and port, so one flooding source cannot crowd out the others."""

from __future__ import annotations

import time

MAX_SOURCES = 10_000


class SourceRates:
    """`rate` messages per second per source, in bursts of up to twice that."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self._buckets: dict[tuple[str, int], tuple[float, float]] = {}

    def take(self, source: tuple[str, int]) -> bool:
        """Whether `source` may send one more message now."""
        now = time.monotonic()
        rate = self.rate
        burst = 2 * rate
        tokens, last = self._buckets.get(source, (burst, now))
        tokens = min(burst, tokens + (now - last) * rate)
        if len(self._buckets) > MAX_SOURCES:
            self._buckets.clear()  # bounded memory; forgetting rates only ever lets traffic through
        if tokens < 1:
            self._buckets[source] = (tokens, now)
            return False
        self._buckets[source] = (tokens - 1, now)
        return True
