"""Recognising retransmissions: the same account, sequence and content seen within the window.

Comparing the content, not only the sequence, is what keeps a panel that rebooted and started again at 0001 with
a new event from being mistaken for a retransmission. Entries are added only once their event is committed, so
a retransmission that overtakes an unfinished commit is recorded again rather than acknowledged unrecorded.
"""

from __future__ import annotations

from collections import OrderedDict

from qorgau.protocols.dc09.parser import ExtendedData, Frame

MEMORY_PER_ACCOUNT = 64
Fingerprint = tuple[str, str, tuple[ExtendedData, ...]]


def fingerprint(frame: Frame) -> Fingerprint:
    """What makes two frames the same message: type, data and extended data (the timestamp may be renewed).

    The content itself, not a hash of it: compared exactly, and cheaper than hashing (64 per panel are kept).
    """
    return frame.message_type, frame.data, frame.extended


class RetransmissionMemory:
    def __init__(self, window_s: float) -> None:
        self._window_s = window_s
        self._seen: dict[int, OrderedDict[tuple[int, Fingerprint], float]] = {}

    def seen(self, device_id: int, sequence: int, digest: Fingerprint, now: float) -> bool:
        """Whether this exact message from this panel was already recorded within the window."""
        entries = self._seen.get(device_id)
        if not entries:
            return False
        at = entries.get((sequence, digest))
        return at is not None and at >= now - self._window_s

    def remember(self, device_id: int, sequence: int, digest: Fingerprint, now: float) -> None:
        entries = self._seen.get(device_id)
        if entries is None:
            entries = self._seen[device_id] = OrderedDict()
        entries[(sequence, digest)] = now
        entries.move_to_end((sequence, digest))
        if len(entries) > MEMORY_PER_ACCOUNT:
            entries.popitem(last=False)
