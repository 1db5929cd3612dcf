"""Recognising retransmissions: the same panel, sequence and content seen within the window.

Comparing the content, not only the sequence, is what keeps a panel that rebooted and started again at 0001 with
a new event from being mistaken for a retransmission. Entries are added only once their event is committed, so
a retransmission that overtakes an unfinished commit is recorded again rather than acknowledged unrecorded.

The content is taken from the frame's decoded events (the payloads stored), not from its raw text, so that after
a restart of the receiver the window can be rebuilt from the committed events (`recall`): a panel that resends
the frame whose ACK the restart swallowed is recognised, not recorded twice.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from itertools import groupby
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qorgau.core.bus.models import OutboxEvent
from qorgau.core.time import as_utc, utcnow
from qorgau.ingest.events import PANEL_EVENT

MEMORY_PER_ACCOUNT = 64
RECALL_PAGE = 5000
RECALL_MAX_ROWS = 200_000  # a restart under full load reads at most this much of the window back
_CONTENT = ("protocol", "code", "qualifier", "zone", "user", "area", "restore", "text")
Fingerprint = tuple[object, ...]


def fingerprint(payloads: Sequence[Mapping[str, Any]]) -> Fingerprint:
    """What makes two frames the same message: their events' content and extended data (not the panel's time).

    The content itself, not a hash of it: compared exactly, and cheaper than hashing (64 per panel are kept).
    Reads the payloads as the receiver builds them and as they come back from the database alike.
    """
    return tuple((*(p[k] for k in _CONTENT), tuple(sorted(p["extended"].items()))) for p in payloads)


class RetransmissionMemory:
    def __init__(self, window_s: float) -> None:
        self.window_s = window_s
        self._seen: dict[str, OrderedDict[tuple[int, Fingerprint], float]] = {}

    def seen(self, device: str, sequence: int, digest: Fingerprint, now: float) -> bool:
        """Whether this exact message from this panel (its registry code) was recorded within the window."""
        entries = self._seen.get(device)
        if not entries:
            return False
        at = entries.get((sequence, digest))
        return at is not None and at >= now - self.window_s

    def remember(self, device: str, sequence: int, digest: Fingerprint, now: float) -> None:
        entries = self._seen.get(device)
        if entries is None:
            entries = self._seen[device] = OrderedDict()
        entries[(sequence, digest)] = now
        entries.move_to_end((sequence, digest))
        if len(entries) > MEMORY_PER_ACCOUNT:
            entries.popitem(last=False)

    def recall(self, stored: Iterable[tuple[datetime, Mapping[str, Any]]], *, now: datetime) -> int:
        """Remember committed panel events, oldest first (as `recent_panel_events` reads them); returns frames.

        The rows of one frame share their panel, sequence and recording instant; each frame is remembered at the
        monotonic moment its recording corresponds to, so it leaves the window when it would have.
        """
        moment, frames = time.monotonic(), 0
        for (code, sequence, recorded), rows in groupby(
                stored, key=lambda row: (row[1]["device_code"], row[1]["sequence"], row[0])):
            age = (now - as_utc(recorded)).total_seconds()
            if age <= self.window_s:
                self.remember(code, sequence, fingerprint([payload for _, payload in rows]), moment - age)
                frames += 1
        return frames


def recent_panel_events(session: Session, window_s: float) -> list[tuple[datetime, Mapping[str, Any]]]:
    """Panel events recorded within the last `window_s`, oldest first: pages read back from the newest."""
    since = utcnow().timestamp() - window_s
    found: list[tuple[datetime, Mapping[str, Any]]] = []
    below: int | None = None
    read = 0
    while read < RECALL_MAX_ROWS:
        query = (select(OutboxEvent.seq, OutboxEvent.name, OutboxEvent.recorded_at, OutboxEvent.payload)
                 .order_by(OutboxEvent.seq.desc()).limit(RECALL_PAGE))
        if below is not None:
            query = query.where(OutboxEvent.seq < below)
        page = session.execute(query).all()
        read += len(page)
        for row in page:
            if as_utc(row.recorded_at).timestamp() < since:
                return found[::-1]
            if row.name == PANEL_EVENT.name:
                found.append((row.recorded_at, row.payload))
        if len(page) < RECALL_PAGE:
            break
        below = page[-1].seq
    return found[::-1]
