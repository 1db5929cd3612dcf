"""What the simulator sent and what Qorgau acknowledged, per channel, with acknowledgement latencies."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from qorgau.protocols.latency import latency_ms

CHANNELS = ("dc09", "mqtt", "sip", "http", "units")
LATENCY_SAMPLES = 50_000


@dataclass
class Channel:
    sent: int = 0
    acked: int = 0
    failed: int = 0
    latencies_s: deque[float] = field(default_factory=lambda: deque(maxlen=LATENCY_SAMPLES))
    last_error: str | None = None

    def ok(self, latency_s: float | None = None) -> None:
        self.sent += 1
        self.acked += 1
        if latency_s is not None:
            self.latencies_s.append(latency_s)

    def fail(self, error: str) -> None:
        self.sent += 1
        self.failed += 1
        self.last_error = error[:200]


@dataclass
class Stats:
    channels: dict[str, Channel] = field(default_factory=lambda: {name: Channel() for name in CHANNELS})
    by_action: dict[str, int] = field(default_factory=dict)

    def __getitem__(self, channel: str) -> Channel:
        return self.channels[channel]

    def count(self, action: str) -> None:
        self.by_action[action] = self.by_action.get(action, 0) + 1

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, channel in self.channels.items():
            out[name] = {"sent": channel.sent, "acked": channel.acked, "failed": channel.failed,
                         **latency_ms(list(channel.latencies_s)), "last_error": channel.last_error}
        out["actions"] = dict(sorted(self.by_action.items()))
        return out
