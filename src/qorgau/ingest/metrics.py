"""Counters of the ingest: what each adapter accepted and rejected (by reason), and the group commits."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class IngestMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.received = Counter(
            "qorgau_ingest_received", "Messages an adapter accepted, by outcome (event, duplicate, heartbeat…).",
            ["adapter", "outcome"], registry=registry,
        )
        self.rejected = Counter(
            "qorgau_ingest_rejected", "Input an adapter refused or dropped, by reason.", ["adapter", "reason"],
            registry=registry,
        )
        self.connections = Gauge(
            "qorgau_ingest_connections", "Open device connections by adapter.", ["adapter"], registry=registry,
        )
        self.batch_size = Histogram(
            "qorgau_ingest_commit_batch", "Events per group commit.", registry=registry,
            buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000),
        )
        self.commit_seconds = Histogram(
            "qorgau_ingest_commit_seconds", "Duration of one group commit.", registry=registry,
            buckets=(0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1),
        )
        self.commit_failures = Counter(
            "qorgau_ingest_commit_failures", "Group commits that failed (nothing of them was acknowledged).",
            registry=registry,
        )

    def accept(self, adapter: str, outcome: str = "event", count: int = 1) -> None:
        self.received.labels(adapter, outcome).inc(count)

    def reject(self, adapter: str, reason: str) -> None:
        self.rejected.labels(adapter, reason).inc()

    def value(self, sample: str, **labels: str) -> float:
        """A sample's current value (0 when never counted), e.g. value("qorgau_ingest_rejected_total", …)."""
        return self.registry.get_sample_value(sample, labels) or 0.0
