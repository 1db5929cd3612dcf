"""What the MQTT adapter can tell an operator about itself: connection state, counts, and quiet logging."""

from __future__ import annotations

import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from qorgau.core.time import utcnow


@dataclass(slots=True)
class Snapshot:
    """The adapter's state at one moment (no secrets, no payload content)."""

    broker: str
    connected: bool
    session_present: bool | None
    connects: int
    disconnects: int
    last_connect_at: datetime | None
    last_disconnect_reason: str | None
    received: int
    committed: int
    duplicates: int
    rejected: dict[str, int]
    commit_failures: int
    recycles: int
    in_flight: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Diagnostics:
    """Thread-safe counters, updated from the connection's thread and the ingest writer."""

    broker: str
    connected: bool = False
    session_present: bool | None = None
    connects: int = 0
    disconnects: int = 0
    last_connect_at: datetime | None = None
    last_disconnect_reason: str | None = None
    received: int = 0
    committed: int = 0
    duplicates: int = 0
    rejected: dict[str, int] = field(default_factory=dict)
    commit_failures: int = 0
    recycles: int = 0
    in_flight: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def on_connect(self, session_present: bool) -> None:
        with self._lock:
            self.connected, self.session_present = True, session_present
            self.connects += 1
            self.last_connect_at = utcnow()

    def on_disconnect(self, reason: str) -> None:
        with self._lock:
            self.connected = False
            self.disconnects += 1
            self.last_disconnect_reason = reason

    def add(self, name: str, delta: int = 1) -> None:
        with self._lock:
            setattr(self, name, getattr(self, name) + delta)

    def reject(self, reason: str) -> None:
        with self._lock:
            self.rejected[reason] = self.rejected.get(reason, 0) + 1

    def snapshot(self) -> Snapshot:
        with self._lock:
            return Snapshot(self.broker, self.connected, self.session_present, self.connects, self.disconnects,
                            self.last_connect_at, self.last_disconnect_reason, self.received, self.committed,
                            self.duplicates, dict(self.rejected), self.commit_failures, self.recycles,
                            self.in_flight)


class LogLimiter:
    """At most one log line per key per interval, so a misbehaving device cannot flood the log."""

    def __init__(self, every_s: float = 10.0) -> None:
        self._every = every_s
        self._last: dict[str, float] = {}
        self._suppressed: dict[str, int] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> int | None:
        """None: stay quiet; else how many lines of this key were held back since the last one."""
        now = time.monotonic()
        with self._lock:
            last = self._last.get(key)
            if last is not None and now - last < self._every:
                self._suppressed[key] = self._suppressed.get(key, 0) + 1
                return None
            self._last[key] = now
            return self._suppressed.pop(key, 0)
