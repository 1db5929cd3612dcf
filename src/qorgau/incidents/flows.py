"""Cross-domain steps of incidents: a copy of what alarms say, and auto-opened incidents."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qorgau.alarms import events as alarm_events
from qorgau.alarms.events import AlarmChanged
from qorgau.core.bus import Context, Event
from qorgau.core.bus.dispatch import Subscriber
from qorgau.core.time import utcnow
from qorgau.incidents import service
from qorgau.incidents.models import AlarmRef

ALARM_EVENTS = frozenset({alarm_events.RAISED.name, alarm_events.REPEATED.name, alarm_events.ACKNOWLEDGED.name,
                          alarm_events.ESCALATED.name, alarm_events.RESOLVED.name})
SYSTEM = "system:incidents"


def _caused_by(event: Event[Any], actor: str) -> Context:
    """Work done in reaction to ``event``: same chain, same simulated flag, our own actor."""
    return event.context.model_copy(update={"actor": actor, "parent_id": event.id})


def remember_alarm(session: Session, event: Event[Any]) -> None:
    """Keep our own copy of the alarm; open its incident when the rule says so and none is open yet."""
    _remember(session, event, session.get(AlarmRef, event.payload.alarm_id))


def _remember(session: Session, event: Event[Any], ref: AlarmRef | None) -> AlarmRef:
    alarm: AlarmChanged = event.payload
    if ref is not None and ref.last_seq > event.seq:
        return ref  # an older event redelivered after a newer one
    if ref is None:
        ref = AlarmRef(alarm_id=alarm.alarm_id)
        session.add(ref)
    ref.state, ref.priority, ref.kind, ref.rule = alarm.state, alarm.priority, alarm.kind, alarm.rule
    ref.incident_category, ref.device_code, ref.site_code = alarm.incident_category, alarm.device_code, alarm.site_code
    ref.lon, ref.lat, ref.first_at = alarm.lon, alarm.lat, alarm.first_at
    ref.acknowledged_at, ref.resolved_at = alarm.acknowledged_at, alarm.resolved_at
    ref.simulated = alarm.simulated or event.context.simulated
    ref.last_seq, ref.updated_at = event.seq, utcnow()
    # No flush of its own: the steps below read what they need (autoflush), and a burst of alarm events then
    # writes its copies together.
    if alarm.acknowledged_at is not None:
        service.acknowledged(session, alarm_id=alarm.alarm_id, at=alarm.acknowledged_at)
    if event.name == alarm_events.RAISED.name and alarm.auto_incident:
        service.open_from_alarm(session, ref=ref, actor=SYSTEM, ctx=_caused_by(event, SYSTEM))
    return ref


def remember_alarms(session: Session, events: Sequence[Event[Any]]) -> None:
    """`remember_alarm` for a burst: the copies it updates are loaded in one query, and a new alarm's absence
    costs no query of its own."""
    ids = sorted({event.payload.alarm_id for event in events})
    refs: dict[int, AlarmRef] = {}
    if ids:
        refs = {ref.alarm_id: ref for ref in session.scalars(select(AlarmRef).where(AlarmRef.alarm_id.in_(ids)))}
    for event in events:
        refs[event.payload.alarm_id] = _remember(session, event, refs.get(event.payload.alarm_id))


def subscribers() -> list[Subscriber]:
    return [Subscriber("incidents.alarms", remember_alarm, ALARM_EVENTS, batch=remember_alarms)]
