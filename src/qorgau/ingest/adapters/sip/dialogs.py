"""Calls as the UAS sees them (one dialog per INVITE): state, times, media ends, and the reserved media ports."""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from qorgau.core.time import utcnow
from qorgau.ingest.adapters.sip.sdp import CODECS, Offer, new_key
from qorgau.ingest.adapters.sip.transactions import Peer, ServerTransaction
from qorgau.ingest.directory import DeviceRef


class CallState(StrEnum):
    SETUP = "setup"  # INVITE received, SOS event being committed
    RINGING = "ringing"  # 180 sent
    ANSWERING = "answering"  # 200 sent, waiting for ACK
    ANSWERED = "answered"  # 200 acknowledged
    ENDED = "ended"  # BYE
    CANCELLED = "cancelled"  # CANCEL before the answer
    FAILED = "failed"  # no ACK within 64·T1, or the event could not be recorded
    REJECTED = "rejected"  # nothing acceptable offered (488)


FINAL_STATES = (CallState.ENDED, CallState.CANCELLED, CallState.FAILED, CallState.REJECTED)


@dataclass(slots=True)
class Call:
    call_id: str
    device: DeviceRef
    peer: Peer
    invite: ServerTransaction
    from_tag: str | None
    to_tag: str
    offer: Offer | None
    sdp_offer: str | None
    state: CallState = CallState.SETUP
    end_reason: str | None = None
    started_at: datetime = field(default_factory=utcnow)
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    started_mono: float = field(default_factory=time.monotonic)
    answered_mono: float | None = None
    ended_mono: float | None = None
    codec: int | None = None
    media_host: str | None = None
    media_port: int | None = None
    sdp_answer: str | None = None
    # Our SRTP master key and salt, answered when the terminal offers RTP/SAVP (repr=False: never logged).
    srtp_key: bytes = field(default_factory=new_key, repr=False)
    # The causal chain: call_answered and call_ended are children of call_started.
    started_event_id: uuid.UUID | None = None
    correlation_id: uuid.UUID | None = None
    tail: asyncio.Task[bool] | None = None  # the last event commit queued for this call (keeps their order)

    @property
    def codec_name(self) -> str | None:
        if self.codec is None:
            return None
        return self.offer.codec_name(self.codec) if self.offer is not None else CODECS.get(self.codec)

    @property
    def ring_s(self) -> float | None:
        end = self.answered_mono if self.answered_mono is not None else self.ended_mono
        return None if end is None else round(end - self.started_mono, 3)

    @property
    def talk_s(self) -> float | None:
        if self.answered_mono is None or self.ended_mono is None:
            return None
        return round(self.ended_mono - self.answered_mono, 3)

    def finish(self, state: CallState, reason: str) -> None:
        self.state, self.end_reason = state, reason
        self.ended_at, self.ended_mono = utcnow(), time.monotonic()


class MediaPorts:
    """Even RTP ports (RTCP on the next odd one) reserved per call for a media bridge to bind."""

    def __init__(self, first: int, last: int) -> None:
        start = first + (first % 2)
        self._free = list(range(start, last + 1, 2))
        self._free.reverse()
        self._used: set[int] = set()

    def take(self) -> int | None:
        if not self._free:
            return None
        port = self._free.pop()
        self._used.add(port)
        return port

    def give(self, port: int | None) -> None:
        if port is not None and port in self._used:
            self._used.remove(port)
            self._free.append(port)

    @property
    def in_use(self) -> int:
        return len(self._used)
