"""What a device publishes: its topic and JSON payloads, exactly the fields docs/mqtt/schemas/ allow.

Qorgau refuses unknown fields, wrong types and times without an offset; these builders refuse them first.
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Literal

Kind = Literal["access", "sos", "heartbeat", "gps"]
KINDS: tuple[Kind, ...] = ("access", "sos", "heartbeat", "gps")
AccessActionName = Literal["granted", "denied", "forced", "held_open"]
SosActionName = Literal["button_pressed", "call_started", "call_answered", "call_ended", "tamper", "self_test"]
ACCESS_ACTIONS: tuple[AccessActionName, ...] = ("granted", "denied", "forced", "held_open")
SOS_ACTIONS: tuple[SosActionName, ...] = ("button_pressed", "call_started", "call_answered", "call_ended", "tamper",
                                          "self_test")
DEFAULT_PREFIX = "qorgau/v1"
_EVENT_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def topic(prefix: str, device_id: str, kind: Kind) -> str:
    """`<prefix>/<device-id>/<kind>`; ValueError for an id the topic scheme cannot carry."""
    if not device_id or any(ch in device_id for ch in "/+#\0"):
        raise ValueError(f"device id {device_id!r} cannot be a topic level (empty, or has / + # NUL)")
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; one of {', '.join(KINDS)}")
    return f"{prefix}/{device_id}/{kind}"


def iso_time(ts: datetime) -> str:
    """ISO 8601 with the UTC offset and milliseconds, as Qorgau requires (a naive time is an error)."""
    if ts.tzinfo is None or ts.utcoffset() is None:
        raise ValueError("the time needs a UTC offset (an aware datetime)")
    return ts.isoformat(timespec="milliseconds")


def _text(name: str, value: str, max_length: int) -> str:
    if not isinstance(value, str) or not 1 <= len(value) <= max_length:
        raise ValueError(f"{name} must be a string of 1 to {max_length} characters")
    return value


def _event_id(value: str) -> str:
    if not isinstance(value, str) or not _EVENT_ID.match(value):
        raise ValueError("event_id must be 1 to 64 characters of A-Z a-z 0-9 . _ : -")
    return value


def _number(name: str, value: float, low: float, high: float | None, *, high_open: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number")
    number = float(value)
    too_high = high is not None and (number >= high if high_open else number > high)
    if number < low or too_high:
        bound = "" if high is None else (f" and below {high:g}" if high_open else f" and at most {high:g}")
        raise ValueError(f"{name} must be at least {low:g}{bound}")
    return number


def _common(out: dict[str, object], ts: datetime | None, event_id: str | None) -> dict[str, object]:
    if ts is not None:
        out["ts"] = iso_time(ts)
    if event_id is not None:
        out["event_id"] = _event_id(event_id)
    return out


def access_payload(action: AccessActionName, *, reason: str | None = None,
                   direction: Literal["in", "out"] | None = None, card: str | None = None, ts: datetime | None,
                   event_id: str | None) -> dict[str, object]:
    """`access` message of a turnstile or door controller; `reason` only with denied."""
    if action not in ACCESS_ACTIONS:
        raise ValueError(f"access action must be one of {', '.join(ACCESS_ACTIONS)}")
    out: dict[str, object] = {"action": action}
    if reason is not None:
        if action != "denied":
            raise ValueError("reason is only for action denied")
        out["reason"] = _text("reason", reason, 200)
    if direction is not None:
        if direction not in ("in", "out"):
            raise ValueError("direction must be in or out")
        out["direction"] = direction
    if card is not None:
        out["card"] = _text("card", card, 64)
    return _common(out, ts, event_id)


def sos_payload(action: SosActionName, *, call_id: str | None = None, result: Literal["pass", "fail"] | None = None,
                detail: str | None = None, ts: datetime | None, event_id: str | None) -> dict[str, object]:
    """`sos` message of an SOS terminal; `result` is required for self_test and refused elsewhere."""
    if action not in SOS_ACTIONS:
        raise ValueError(f"sos action must be one of {', '.join(SOS_ACTIONS)}")
    if (action == "self_test") != (result is not None):
        raise ValueError("result is required for self_test and only there")
    out: dict[str, object] = {"action": action}
    if call_id is not None:
        out["call_id"] = _text("call_id", call_id, 128)
    if result is not None:
        if result not in ("pass", "fail"):
            raise ValueError("result must be pass or fail")
        out["result"] = result
    if detail is not None:
        out["detail"] = _text("detail", detail, 200)
    return _common(out, ts, event_id)


def heartbeat_payload(status: Literal["online", "degraded"] | None = None, detail: str | None = None, *,
                      ts: datetime | None = None) -> dict[str, object]:
    """`heartbeat` message: `{}` means online; degraded with a detail marks the device degraded."""
    out: dict[str, object] = {}
    if status is not None:
        if status not in ("online", "degraded"):
            raise ValueError("status must be online or degraded")
        out["status"] = status
    if detail is not None:
        out["detail"] = _text("detail", detail, 200)
    return _common(out, ts, None)


def gps_payload(lon: float, lat: float, *, ts: datetime | None, speed_kmh: float | None = None,
                heading_deg: float | None = None, accuracy_m: float | None = None,
                event_id: str | None = None) -> dict[str, object]:
    """`gps` fix of a tracker (WGS 84 degrees); `ts` is also the key that records a redelivered fix once."""
    out: dict[str, object] = {"lat": _number("lat", lat, -90, 90), "lon": _number("lon", lon, -180, 180)}
    if speed_kmh is not None:
        out["speed_kmh"] = _number("speed_kmh", speed_kmh, 0, 1000)
    if heading_deg is not None:
        out["heading_deg"] = _number("heading_deg", heading_deg, 0, 360, high_open=True)
    if accuracy_m is not None:
        out["accuracy_m"] = _number("accuracy_m", accuracy_m, 0, None)
    return _common(out, ts, event_id)
