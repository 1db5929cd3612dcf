"""An adaptive jitter buffer: packets reordered by sequence number, played out at a depth that follows the jitter."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

FRAME_MS = 20.0
MIN_DEPTH = 1
MAX_DEPTH = 12  # 240 ms: beyond this a call is better served by dropping than by waiting


@dataclass
class JitterStats:
    """Counters a call reports (CallMedia)."""

    received: int = 0
    lost: int = 0
    late: int = 0
    duplicates: int = 0
    jitter_ms: float = 0.0


@dataclass
class JitterBuffer:
    """Holds frames keyed by extended sequence number; `pop` gives one 20 ms frame per tick, or None for a gap."""

    clock_rate: int = 8000
    stats: JitterStats = field(default_factory=JitterStats)
    _frames: dict[int, bytes] = field(default_factory=dict)
    _next: int | None = None  # extended sequence number played next
    _highest: int | None = None
    _started: bool = False
    _transit: float | None = None

    @property
    def depth(self) -> int:
        """Frames to hold before playing: twice the jitter and one frame, at least one frame."""
        frames = 1 + math.ceil(round(2 * self.stats.jitter_ms / FRAME_MS, 6))  # rounded: float noise adds no frame
        return max(MIN_DEPTH, min(MAX_DEPTH, frames))

    def _extend(self, seq: int) -> int:
        if self._highest is None:
            return seq
        # The extended number nearest the highest seen (wrap-around at 65536).
        base = self._highest - (self._highest & 0xFFFF)
        candidates = (base + seq - 65536, base + seq, base + seq + 65536)
        return min(candidates, key=lambda value: abs(value - self._highest if self._highest is not None else 0))

    def push(self, seq: int, timestamp: int, payload: bytes, arrival_s: float) -> None:
        """One received packet; `arrival_s` is a monotonic clock reading."""
        ext = self._extend(seq)
        self.stats.received += 1
        transit = arrival_s * 1000.0 - timestamp * 1000.0 / self.clock_rate
        if self._transit is not None:
            # RFC 3550 §6.4.1 interarrival jitter, in milliseconds.
            self.stats.jitter_ms += (abs(transit - self._transit) - self.stats.jitter_ms) / 16.0
        self._transit = transit
        if self._next is not None and ext < self._next:
            self.stats.late += 1  # its turn has passed: played as a gap already
            return
        if ext in self._frames:
            self.stats.duplicates += 1
            return
        self._frames[ext] = payload
        if self._highest is None or ext > self._highest:
            self._highest = ext
        if self._next is None:
            self._next = ext

    def pop(self) -> bytes | None:
        """The next frame at the playout clock, or None (still filling, lost or not yet here)."""
        if self._next is None:
            return None
        if not self._started:
            if len(self._frames) < self.depth:
                return None
            self._started = True
        # Too deep (a burst after a stall): skip ahead so the delay does not stay high.
        while len(self._frames) > self.depth + 3 and self._next in self._frames:
            del self._frames[self._next]
            self.stats.late += 1
            self._next += 1
        frame = self._frames.pop(self._next, None)
        if frame is None:
            if self._highest is not None and self._next <= self._highest:
                self.stats.lost += 1
                self._next += 1
            elif not self._frames:
                self._started = False  # ran dry: refill to the depth before playing again
            return None
        self._next += 1
        return frame
