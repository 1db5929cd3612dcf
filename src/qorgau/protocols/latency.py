"""Latency percentiles of the answers a protocol client waited for (load generator, simulator)."""

from __future__ import annotations

import statistics


def latency_ms(samples: list[float]) -> dict[str, float | None]:
    """ACK latency p50/p90/p99/max in milliseconds."""
    if not samples:
        return {"p50_ms": None, "p90_ms": None, "p99_ms": None, "max_ms": None}
    q = statistics.quantiles(samples, n=100, method="inclusive") if len(samples) > 1 else samples * 99
    return {"p50_ms": round(q[49] * 1000, 2), "p90_ms": round(q[89] * 1000, 2), "p99_ms": round(q[98] * 1000, 2),
            "max_ms": round(max(samples) * 1000, 2)}
