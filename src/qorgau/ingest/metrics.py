"""Counters of the ingest: what each adapter accepted and rejected (by reason), and the group commits."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily, Metric
from prometheus_client.registry import Collector

PROC_UDP = (Path("/proc/net/udp"), Path("/proc/net/udp6"))


class Socket(Protocol):
    """A socket, or the wrapper asyncio hands out for a transport's (``get_extra_info("socket")``)."""

    def fileno(self) -> int: ...


def udp_drops(sock: Socket) -> int | None:
    """Datagrams the kernel dropped for this socket (its receive buffer was full): the `drops` column of
    /proc/net/udp[6] on the socket's inode; None where the system does not say (not Linux)."""
    inode = str(os.fstat(sock.fileno()).st_ino)
    for table in PROC_UDP:
        try:
            lines = table.read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) >= 13 and fields[9] == inode:
                return int(fields[12])
    return None


class _KernelDrops(Collector):
    """Reads the kernel's drop counters of the watched UDP sockets when /metrics is scraped, never per datagram."""

    def __init__(self) -> None:
        self.sockets: dict[str, Socket] = {}

    def collect(self) -> Iterator[Metric]:
        family = CounterMetricFamily(
            "qorgau_ingest_kernel_drops", "Datagrams the kernel dropped before an adapter could read them (its UDP "
            "receive buffer was full), by adapter.", labels=["adapter"],
        )
        for adapter, sock in list(self.sockets.items()):
            drops = udp_drops(sock) if sock.fileno() >= 0 else None
            if drops is not None:
                family.add_metric([adapter], drops)
        yield family


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
        self.writer_seconds = Histogram(
            "qorgau_ingest_writer_seconds", "Time the writer process spent on one group commit (the rest of "
            "qorgau_ingest_commit_seconds is the hand-over between the processes).", registry=registry,
            buckets=(0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1),
        )
        self.commit_failures = Counter(
            "qorgau_ingest_commit_failures", "Group commits that failed (nothing of them was acknowledged).",
            registry=registry,
        )
        self._kernel_drops = _KernelDrops()
        registry.register(self._kernel_drops)

    def watch_udp(self, adapter: str, sock: Socket | None) -> None:
        """Report the kernel's drops on ``sock`` as the adapter's (None: stop, the socket is closed)."""
        if sock is None:
            self._kernel_drops.sockets.pop(adapter, None)
        else:
            self._kernel_drops.sockets[adapter] = sock

    def accept(self, adapter: str, outcome: str = "event", count: int = 1) -> None:
        self.received.labels(adapter, outcome).inc(count)

    def reject(self, adapter: str, reason: str) -> None:
        self.rejected.labels(adapter, reason).inc()

    def value(self, sample: str, **labels: str) -> float:
        """A sample's current value (0 when never counted), e.g. value("qorgau_ingest_rejected_total", …)."""
        return self.registry.get_sample_value(sample, labels) or 0.0
