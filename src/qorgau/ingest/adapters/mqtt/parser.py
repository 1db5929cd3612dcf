"""Topic and payload of one MQTT message → the events and heartbeats it means, or the reason it is refused.

Never raises on device input: anything a device can send ends as `Accepted` or `Rejected`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from pydantic import ValidationError

from qorgau.core.bus import Context
from qorgau.core.bus.types import Event, new_event
from qorgau.core.time import utcnow
from qorgau.devices.enums import DeviceKind, Health
from qorgau.ingest.directory import DeviceRef
from qorgau.ingest.events import (
    ACCESS_EVENT,
    GPS_FIX,
    SOS_EVENT,
    AccessEvent,
    GpsFix,
    Position,
    SosEvent,
)
from qorgau.ingest.sink import Heartbeat
from qorgau.protocols.mqtt.schemas import (
    MESSAGES,
    AccessMessage,
    GpsMessage,
    HeartbeatMessage,
    SosMessage,
    TopicKind,
)

TRACKER_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
# Namespace of the event ids derived from a device's own event id: the same message delivered twice gets the same
# id, and the outbox's unique id records it once.
DEDUPE_NAMESPACE = uuid.UUID("6f1c3a52-9d0e-4c8b-a7a5-3b1f0d6c2e41")
CREDENTIAL_REF_HEX = 32  # 128 bits of HMAC-SHA256: no collisions in any card population, not reversible

# Which topic kinds each kind of registered device may publish (heartbeats: any device).
ALLOWED: dict[TopicKind, frozenset[str]] = {
    TopicKind.ACCESS: frozenset({DeviceKind.ACCESS_POINT}),
    TopicKind.SOS: frozenset({DeviceKind.SOS_TERMINAL}),
    TopicKind.HEARTBEAT: frozenset(DeviceKind),
}


class Reason:
    """Reasons a message is refused (the `reason` label of the rejected counter)."""

    BAD_TOPIC = "bad_topic"
    UNKNOWN_DEVICE = "unknown_device"
    KIND_NOT_ALLOWED = "kind_not_allowed"
    OVERSIZE = "oversize"
    BAD_JSON = "bad_json"
    SCHEMA = "schema"
    RETAINED = "retained"
    INTERNAL = "internal_error"


@dataclass(frozen=True, slots=True)
class Accepted:
    """A valid message: its events (zero or one) and the heartbeats it counts as."""

    kind: TopicKind
    subject: str  # registry code of the device, or the tracker id
    events: tuple[Event[Any], ...]
    heartbeats: tuple[Heartbeat, ...]
    deduplicated: bool  # the event's id derives from the device's own key, so a redelivery is recognised


@dataclass(frozen=True, slots=True)
class Rejected:
    """A message that can never become valid; `detail` is safe to log (no payload content)."""

    reason: str
    topic_kind: str | None = None
    device_id: str | None = None
    detail: str | None = None


def credential_reference(key: bytes, card: str) -> str:
    """Keyed pseudonym of a card number: the same card gives the same reference; the number cannot be recovered."""
    return hmac.new(key, card.strip().encode(), hashlib.sha256).hexdigest()[:CREDENTIAL_REF_HEX]


def dedupe_id(subject: str, kind: TopicKind, key: str) -> uuid.UUID:
    return uuid.uuid5(DEDUPE_NAMESPACE, f"mqtt/{subject}/{kind}/{key}")


class ContextFor(Protocol):
    """Builds the causal context of what a device reported (IngestHub.context)."""

    def __call__(self, device_code: str | None = None, *, simulated: bool = False) -> Context: ...


class Parser:
    """Parses messages against the registry (`find` maps an MQTT client id to a device)."""

    def __init__(self, *, prefix: str, find: Callable[[str], DeviceRef | None], credential_key: bytes,
                 context: ContextFor, max_payload_bytes: int = 16384, max_clock_skew_s: float = 300.0,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self._levels = tuple(prefix.strip("/").split("/"))
        self._find = find
        self._key = credential_key
        self._context = context
        self._max_payload = max_payload_bytes
        self._skew = timedelta(seconds=max_clock_skew_s)
        self._clock = clock

    @property
    def subscription(self) -> str:
        """The one topic filter Qorgau subscribes to."""
        return "/".join((*self._levels, "+", "+"))

    def parse(self, topic: str, payload: bytes, *, retain: bool = False) -> Accepted | Rejected:
        levels = topic.split("/")
        n = len(self._levels)
        if len(levels) != n + 2 or tuple(levels[:n]) != self._levels or not levels[n]:
            return Rejected(Reason.BAD_TOPIC)
        device_id, kind_text = levels[n], levels[n + 1]
        try:
            kind = TopicKind(kind_text)
        except ValueError:
            return Rejected(Reason.BAD_TOPIC, device_id=_printable(device_id))
        if retain:
            # A retained message is replayed to every new subscription: an old event must not be recorded again.
            return Rejected(Reason.RETAINED, kind, _printable(device_id))
        device: DeviceRef | None = None
        if kind == TopicKind.GPS:
            if not TRACKER_ID.match(device_id):
                return Rejected(Reason.BAD_TOPIC, kind, _printable(device_id))
        else:
            device = self._find(device_id)
            if device is None:
                return Rejected(Reason.UNKNOWN_DEVICE, kind, _printable(device_id))
            if device.kind not in ALLOWED[kind]:
                return Rejected(Reason.KIND_NOT_ALLOWED, kind, _printable(device_id), f"device kind {device.kind}")
        if len(payload) > self._max_payload:
            return Rejected(Reason.OVERSIZE, kind, _printable(device_id), f"{len(payload)} bytes")
        try:
            message = MESSAGES[kind].model_validate_json(payload if payload.strip() else b"{}")
        except ValidationError as exc:
            # Only the error types and field paths: the input itself may hold a card number.
            errors = exc.errors(include_url=False, include_input=False, include_context=False)
            bad_json = any(error["type"] == "json_invalid" for error in errors)
            where = ", ".join(sorted({".".join(str(p) for p in e["loc"]) or "body" for e in errors}))
            return Rejected(Reason.BAD_JSON if bad_json else Reason.SCHEMA, kind, _printable(device_id),
                            None if bad_json else f"invalid: {where}")
        except (ValueError, RecursionError) as exc:
            return Rejected(Reason.BAD_JSON, kind, _printable(device_id), type(exc).__name__)
        if isinstance(message, GpsMessage):
            return self._gps(device_id, message)
        if device is None:  # unreachable: every other kind was looked up above
            return Rejected(Reason.INTERNAL, kind)
        return self._device_message(device, kind, message)

    def _device_message(self, device: DeviceRef, kind: TopicKind, message: Any) -> Accepted | Rejected:
        if isinstance(message, HeartbeatMessage):
            status = Health.DEGRADED if message.status == "degraded" else Health.ONLINE
            return Accepted(kind, device.code, (), (Heartbeat(device, status=status, detail=message.detail),), False)
        now = self._clock()
        device_time = _utc(message.ts)
        event: Event[Any]
        if isinstance(message, AccessMessage):
            payload_a = AccessEvent(
                device_code=device.code, site_code=device.site_code, action=message.action, reason=message.reason,
                direction=message.direction, device_time=device_time,
                credential_ref=credential_reference(self._key, message.card) if message.card else None,
            )
            event = new_event(ACCESS_EVENT, subject_id=device.code, payload=payload_a,
                              ctx=self._context(device.code, simulated=device.simulated),
                              occurred_at=self._occurred(device_time, now))
        elif isinstance(message, SosMessage):
            payload_s = SosEvent(
                device_code=device.code, site_code=device.site_code, action=message.action, channel="mqtt",
                position=Position(lon=device.lon, lat=device.lat), call_id=message.call_id, result=message.result,
                detail=message.detail, device_time=device_time,
            )
            event = new_event(SOS_EVENT, subject_id=device.code, payload=payload_s,
                              ctx=self._context(device.code, simulated=device.simulated),
                              occurred_at=self._occurred(device_time, now))
        else:
            return Rejected(Reason.INTERNAL, kind)
        if message.event_id is not None:
            event = dataclasses.replace(event, id=dedupe_id(device.code, kind, message.event_id))
        return Accepted(kind, device.code, (event,), (Heartbeat(device),), message.event_id is not None)

    def _gps(self, tracker_id: str, message: GpsMessage) -> Accepted:
        now = self._clock()
        fix_time = _utc(message.ts)
        payload = GpsFix(tracker_id=tracker_id, position=Position(lon=message.lon, lat=message.lat),
                         fix_time=fix_time or now, speed_kmh=message.speed_kmh, heading_deg=message.heading_deg,
                         accuracy_m=message.accuracy_m, source="mqtt")
        # A tracker registered as a simulated device (the simulator's) reports simulated fixes.
        tracker = self._find(tracker_id)
        ctx = self._context(tracker_id, simulated=tracker is not None and tracker.simulated)
        event = new_event(GPS_FIX, subject_id=tracker_id, payload=payload, ctx=ctx,
                          occurred_at=self._occurred(fix_time, now))
        # A tracker never takes two fixes at the same instant: its time stamp is a natural key.
        key = message.event_id or (fix_time.isoformat() if fix_time else None)
        if key is not None:
            event = dataclasses.replace(event, id=dedupe_id(tracker_id, TopicKind.GPS, key))
        return Accepted(TopicKind.GPS, tracker_id, (event,), (), key is not None)

    def _occurred(self, device_time: datetime | None, now: datetime) -> datetime:
        if device_time is None or device_time > now + self._skew:
            return now
        return device_time


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)


def _printable(value: str) -> str:
    """A device id fit for a log line (ids are not personal data, but a hostile one may hold control codes)."""
    clean = "".join(c if c.isprintable() else "?" for c in value[:64])
    return clean + ("…" if len(value) > 64 else "")
