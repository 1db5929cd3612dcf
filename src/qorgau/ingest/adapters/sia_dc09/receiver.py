"""What the receiver does with one frame, whatever the transport: silence, an answer now, or record then ACK.

- bad CRC or an envelope we cannot read: no response (the panel retries);
- unknown account, or a body we cannot decrypt: DUH;
- a timestamp outside the −40 s/+20 s window (encrypted or not; an encrypted frame must carry one): NAK with
  our clock;
- NULL link test: ACK (after its heartbeat is written, when one is due);
- retransmission of a recorded message (also one recorded before the receiver restarted): ACK again, nothing
  recorded;
- anything else: its events are committed, and only then ACKed.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace
from datetime import datetime

from qorgau.core.bus.outbox import BatchRow
from qorgau.core.time import utcnow
from qorgau.ingest.adapters.sia_dc09 import mapping
from qorgau.ingest.adapters.sia_dc09.config import Dc09Settings
from qorgau.ingest.adapters.sia_dc09.retransmission import (
    Fingerprint,
    RetransmissionMemory,
    fingerprint,
    recent_panel_events,
)
from qorgau.ingest.events import PANEL_EVENT
from qorgau.ingest.hub import IngestHub
from qorgau.ingest.rows import Clock, event_row
from qorgau.ingest.sink import Heartbeat
from qorgau.protocols.dc09 import render
from qorgau.protocols.dc09.parser import (
    Envelope,
    FrameError,
    RawFrame,
    open_envelope,
    timestamp_in_window,
)

log = logging.getLogger(__name__)

ADAPTER = "sia_dc09"
EVENT_TYPES = frozenset({"SIA-DCS", "ADM-CID"})
DUH_REASONS = frozenset({"no_key", "decrypt_failed"})


@dataclass(slots=True)
class Record:
    """Event rows to commit before `ack` may be sent; `memo` is remembered for retransmissions once committed."""

    rows: list[BatchRow]
    heartbeats: list[Heartbeat]
    ack: bytes
    memo: tuple[str, int, Fingerprint] | None


class Receiver:
    def __init__(self, hub: IngestHub) -> None:
        self.hub = hub
        self.memory = RetransmissionMemory(hub.settings.part(Dc09Settings).dc09_retransmission_window_s)
        self._zone = hub.settings.zone
        self._dialect = hub.sink.dialect
        self._clock = Clock()
        # Labelled counters resolved once: `labels()` takes a lock and a lookup on every call.
        received = hub.metrics.received
        self._events = received.labels(ADAPTER, "event")
        self._link_tests = received.labels(ADAPTER, "link_test")
        self._retransmissions = received.labels(ADAPTER, "retransmission")

    def recall(self) -> int:
        """Rebuild the retransmission window from the committed panel events (a restart forgets nothing)."""
        with self.hub.db.reading() as session:
            stored = recent_panel_events(session, self.memory.window_s)
        return self.memory.recall(stored, now=utcnow())

    def handle(self, raw: RawFrame) -> bytes | Record | None:
        """Decide what one CRC-checked frame gets; never raises."""
        metrics = self.hub.metrics
        try:
            envelope = raw.envelope()
        except FrameError as exc:
            metrics.reject(ADAPTER, exc.reason)
            return None
        if envelope.message_type not in EVENT_TYPES and envelope.message_type != "NULL":
            metrics.reject(ADAPTER, "unexpected_type")
            return None
        if envelope.account is None:
            metrics.reject(ADAPTER, "no_account")
            return None
        device = self.hub.directory.find_dc09(envelope.receiver, envelope.prefix, envelope.account)
        now, now_text = self._clock.now()
        if device is None:
            metrics.reject(ADAPTER, "unknown_account")
            return _duh(envelope, now)
        try:
            frame = open_envelope(envelope, key=device.dc09_key)
        except FrameError as exc:
            metrics.reject(ADAPTER, exc.reason)
            return _duh(envelope, now) if exc.reason in DUH_REASONS else None
        at = mapping.panel_time(frame, device, self._zone)
        # Every timestamp is judged, in the panel's own time setting; only an unencrypted frame may go without.
        if (at is None and frame.encrypted) or (at is not None and not timestamp_in_window(at, now)):
            metrics.reject(ADAPTER, "outside_window")
            return render.nak(now)
        if frame.encrypted:
            ack = render.ack(frame, key=device.dc09_key, now=now)
        else:
            ack = render.ack_address(envelope.address, now)
        beat = [Heartbeat(device)]
        if frame.message_type == "NULL":
            self._link_tests.inc()
            return Record([], beat, ack, None)
        payloads = mapping.payload_values(frame, device, at=at)
        digest = fingerprint(payloads)
        if self.memory.seen(device.code, frame.sequence, digest, time.monotonic()):
            self._retransmissions.inc()
            return Record([], beat, ack, None)
        # Rows, not models: each payload is already of its model's types (see qorgau.ingest.rows).
        dialect, actor = self._dialect, f"device:{device.code}"
        rows = [event_row(dialect, PANEL_EVENT, subject_id=device.code, payload=payload, actor=actor,
                          simulated=device.simulated, now=now, now_text=now_text)
                for payload in payloads]
        return Record(rows, beat, ack, (device.code, frame.sequence, digest))

    def committed(self, record: Record) -> None:
        """The record's events are durable: count them and remember the message against retransmissions."""
        if record.memo is not None:
            device, sequence, digest = record.memo
            self.memory.remember(device, sequence, digest, time.monotonic())
            self._events.inc(len(record.rows))


def _duh(envelope: Envelope, now: datetime) -> bytes:
    """DUH echoes only the address, so it needs nothing from the (possibly unreadable) body."""
    return render.duh(open_envelope(replace(envelope, encrypted=False, body="[]")), now=now)
