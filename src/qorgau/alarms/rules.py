"""Rule matching: what a signal is, where its device stands, and which rule (if any) turns it into an alarm.

Of the enabled rules for the signal's event whose every condition holds, the one with the highest priority
(lowest number) wins; among equals the more specific (more conditions), then the lower code. One signal raises
at most one alarm.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from qorgau.alarms.models import AlarmRule
from qorgau.core.bus import Event, EventPayload
from qorgau.core.bus.types import lookup
from qorgau.core.time import to_local
from qorgau.devices import queries as device_queries
from qorgau.devices.enums import Health
from qorgau.devices.events import HEALTH_CHANGED, HealthChanged
from qorgau.ingest.events import (
    ACCESS_EVENT,
    PANEL_EVENT,
    SOS_EVENT,
    VENDOR_EVENT,
    AccessEvent,
    PanelEvent,
    Position,
    SosEvent,
    VendorEvent,
)

RULE_EVENTS = {kind.name: kind for kind in (PANEL_EVENT, ACCESS_EVENT, SOS_EVENT, VENDOR_EVENT, HEALTH_CHANGED)}
# A recording volume's trouble, known by name: the video domain reacts to alarms, so alarms does not import it.
VOLUME_CHANGED = "video.volume_changed"
ANALYTICS_EVENT = "video.analytics_event"  # what a camera's analytics rule saw, with its snapshot
PLATE_HIT = "roads.plate_hit"  # a read plate matched a watch list, with the plate's crop and the frame
RULE_EVENT_NAMES = frozenset({*RULE_EVENTS, VOLUME_CHANGED, ANALYTICS_EVENT, PLATE_HIT})
STORAGE = "storage"  # the signal of a recording volume's trouble; its recovery restores the same fold key
OFFLINE = str(Health.OFFLINE)
# Payload fields that describe one occurrence rather than what happened: never conditions, never details.
_NOT_CONDITIONS = frozenset({"sequence", "panel_time", "device_time", "occurred_at", "last_seen_at", "call_id",
                             "vendor_event_id", "account", "receiver", "line", "credential_ref", "detail", "text"})


@dataclass(frozen=True)
class Signal:
    """What a device reported, in the terms rules and flood control speak."""

    event_name: str
    subject: str  # the device's code, or the integration that pushed a device-less vendor event
    device_code: str | None
    site_code: str | None
    signal: str  # panel kind, access or SOS action, vendor type, or the new health
    restore: bool  # the condition ended: a panel restore, a device back online
    fields: dict[str, str]  # the payload's scalar fields, as rules match them
    position: tuple[float, float] | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def fold_key(self) -> str:
        """Same device, same event: what flood control folds together."""
        return f"{self.event_name}|{self.subject}|{self.signal}"[:240]


@dataclass(frozen=True)
class Place:
    """Where the device stands and what it is, from the registry."""

    device_kind: str | None = None
    device_purpose: str | None = None
    site_code: str | None = None
    site_kind: str | None = None
    site_subtype: str | None = None
    lon: float | None = None
    lat: float | None = None


def condition_fields(event_name: str) -> frozenset[str]:
    """Payload fields a rule for this event may put in `match`."""
    kind = RULE_EVENTS.get(event_name) or lookup(event_name)
    if kind is None:
        return frozenset()
    payload = kind.payload
    return frozenset(name for name in payload.model_fields if name not in _NOT_CONDITIONS)


def _scalars(payload: EventPayload) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, value in payload.model_dump(mode="json").items():
        if name in _NOT_CONDITIONS or value is None or isinstance(value, dict | list):
            continue
        found[name] = str(value).lower() if isinstance(value, bool) else str(value)
    return found


def _position(position: Position | None) -> tuple[float, float] | None:
    return (position.lon, position.lat) if position is not None else None


def signal_of(event: Event[Any]) -> Signal | None:
    """The signal an event carries, or None for events rules do not look at."""
    payload = event.payload
    fields = _scalars(payload) if isinstance(payload, EventPayload) else {}
    details = dict(fields)
    if isinstance(payload, PanelEvent):
        details.update({k: v for k, v in (("text", payload.text), ("verification_url", payload.verification_url))
                        if v})
        return Signal(event.name, payload.device_code, payload.device_code, payload.site_code, str(payload.kind),
                      payload.restore, fields, _position(payload.location), details)
    if isinstance(payload, AccessEvent):
        return Signal(event.name, payload.device_code, payload.device_code, payload.site_code, str(payload.action),
                      False, fields, None, details)
    if isinstance(payload, SosEvent):
        if payload.call_id:
            details["call_id"] = payload.call_id
        return Signal(event.name, payload.device_code, payload.device_code, payload.site_code, str(payload.action),
                      False, fields, _position(payload.position), details)
    if isinstance(payload, VendorEvent):
        subject = payload.device_code or f"integration:{payload.integration}"
        return Signal(event.name, subject, payload.device_code, None, payload.type[:64], False, fields, None,
                      details)
    if isinstance(payload, HealthChanged):
        # Back from offline ends the offline condition; the same fold key finds the alarm it raised.
        back = payload.previous == Health.OFFLINE and payload.current in (Health.ONLINE, Health.DEGRADED)
        # Online again from degraded (e.g. a camera's picture good again, ADR 0029) ends the degraded condition.
        healed = payload.previous == Health.DEGRADED and payload.current == Health.ONLINE
        signal = OFFLINE if back else str(Health.DEGRADED) if healed else str(payload.current)
        return Signal(event.name, payload.code, payload.code, None, signal, back or healed, fields, None, details)
    if event.name == VOLUME_CHANGED:
        # A volume full, missing or failing is one open alarm per volume, restored when it is ok again.
        return Signal(event.name, f"volume:{fields.get('name', '?')}", None, None, STORAGE,
                      fields.get("current") == "ok", fields, None, details)
    if event.name == ANALYTICS_EVENT:
        # Folded per camera and analytics rule: a flood of detections (rain, headlights) is one counted alarm.
        code = fields.get("code", "?")
        return Signal(event.name, code, code, None, f"{fields.get('kind', '?')}:{fields.get('rule_id', '-')}"[:64],
                      False, fields, None, details)
    if event.name == PLATE_HIT:
        # Folded per camera and plate: the same car read twice in a minute is one alarm; at the camera's spot.
        code = fields.get("code", "?")
        lon, lat = fields.get("lon"), fields.get("lat")
        position = (float(lon), float(lat)) if lon is not None and lat is not None else None
        return Signal(event.name, code, code, None, f"plate:{fields.get('plate', '?')}"[:64], False, fields,
                      position, details)
    return None


def _memo(session: Session, name: str) -> dict[Any, Any]:
    """A cache that lives as long as the transaction (a session serves one unit of work): the dispatcher runs a
    burst of signals in one transaction, and most of them ask the same few questions."""
    memo: dict[Any, Any] = session.info.setdefault(name, {})
    return memo


def place_of(session: Session, device_code: str | None) -> Place:
    """The registry's facts about the device (an unknown device: no facts, so device conditions fail)."""
    if device_code is None:
        return Place()
    memo = _memo(session, "alarms.places")
    if "revision" not in memo:  # once per transaction: has the registry changed since the cache was filled?
        registry = device_queries.registry_revision(session)
        if registry != _PLACES.revision:
            _PLACES.by_code.clear()
            _PLACES.revision = registry
        memo["revision"] = registry
    place = _PLACES.by_code.get(device_code)
    if place is None:
        place = _PLACES.by_code[device_code] = _place(session, device_code)
    return place


@dataclass
class _PlaceCache:
    """Devices' places for this process, valid while the registry's revision stays the same."""

    revision: int = -1
    by_code: dict[str, Place] = field(default_factory=dict)


_PLACES = _PlaceCache()


def _place(session: Session, device_code: str) -> Place:
    found = device_queries.place_of(session, device_code)
    if found is None:
        return Place()
    return Place(found.kind, found.purpose, found.site_code, found.site_kind, found.site_subtype, found.lon,
                 found.lat)


def minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def in_hours(rule: AlarmRule, minute_of_day: int) -> bool:
    """Whether local minute ``minute_of_day`` lies in the rule's hours (a window may wrap past midnight)."""
    start, end = rule.active_from_min, rule.active_to_min
    if start is None or end is None or start == end:
        return True
    if start < end:
        return start <= minute_of_day < end
    return minute_of_day >= start or minute_of_day < end


def matches(rule: AlarmRule, signal: Signal, place: Place, minute_of_day: int) -> bool:
    if rule.event != signal.event_name or not rule.enabled:
        return False
    for name, accepted in rule.match.items():
        if signal.fields.get(name) not in accepted:
            return False
    wanted = ((rule.device_kind, place.device_kind), (rule.device_purpose, place.device_purpose),
              (rule.site_kind, place.site_kind), (rule.site_subtype, place.site_subtype))
    if any(condition is not None and condition != actual for condition, actual in wanted):
        return False
    return in_hours(rule, minute_of_day)


def specificity(rule: AlarmRule) -> int:
    conditions = (rule.device_kind, rule.device_purpose, rule.site_kind, rule.site_subtype, rule.active_from_min)
    return len(rule.match) + sum(1 for c in conditions if c is not None)


def choose(rules: Iterable[AlarmRule], signal: Signal, place: Place, minute_of_day: int) -> AlarmRule | None:
    """The winning rule: highest priority, then most specific, then lowest code."""
    found = [rule for rule in rules if matches(rule, signal, place, minute_of_day)]
    if not found:
        return None
    return min(found, key=lambda rule: (rule.priority, -specificity(rule), rule.code))


def rules_for(session: Session, event_name: str) -> Sequence[AlarmRule]:
    rules = _memo(session, "alarms.rules")
    if event_name not in rules:
        rules[event_name] = session.scalars(select(AlarmRule).where(AlarmRule.event == event_name,
                                                                    AlarmRule.enabled.is_(True))).all()
    return rules[event_name]  # type: ignore[no-any-return]


def local_minute(moment: datetime, zone: ZoneInfo) -> int:
    return minutes(to_local(moment, zone).time())


def rule_for(session: Session, signal: Signal, place: Place, at: datetime, zone: ZoneInfo) -> AlarmRule | None:
    """The rule that turns ``signal`` (at ``at``, judged in local time) into an alarm, if any."""
    return choose(rules_for(session, signal.event_name), signal, place, local_minute(at, zone))
