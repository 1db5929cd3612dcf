"""Cross-domain steps of voice calls: an SOS call and the alarm its SIP events raised find each other, answering
the call acknowledges that alarm, and an incident opened from the alarm is linked to the call.

The alarm and the call come from the same SIP INVITE by two paths (the ingest's committed SIP events through the
alarm rules, and the voice process's own record), so either may be first: both sides look for the other.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qorgau.alarms import config as alarms_config
from qorgau.alarms import events as alarm_events
from qorgau.alarms import service as alarm_service
from qorgau.alarms.enums import AlarmState
from qorgau.alarms.models import Alarm
from qorgau.core.bus import Context, Event
from qorgau.core.bus.dispatch import Subscriber
from qorgau.core.errors import QorgauError
from qorgau.incidents import events as incident_events
from qorgau.incidents import service as incident_service
from qorgau.incidents.models import Incident
from qorgau.voice import events
from qorgau.voice.enums import ACTIVE_STATES, CallKind
from qorgau.voice.events import CallChanged
from qorgau.voice.models import VoiceCall

log = logging.getLogger(__name__)
RECENT = timedelta(hours=1)  # an SOS alarm and its call are minutes apart at most
ACTIVE_VALUES = tuple(str(s) for s in ACTIVE_STATES)


def _context(event: Event[Any]) -> Context:
    return Context(actor="system:voice", simulated=event.context.simulated).caused_by(event)


def _alarm_call_id(alarm: Alarm) -> str | None:
    value = (alarm.details or {}).get("call_id")
    return str(value) if value else None


def call_for_alarm(session: Session, alarm: Alarm) -> VoiceCall | None:
    """The SOS call of this alarm: the same SIP Call-ID, else the terminal's active call not yet linked."""
    sip_call_id = _alarm_call_id(alarm)
    if sip_call_id is not None:
        found = session.scalars(select(VoiceCall).where(VoiceCall.sip_call_id == sip_call_id)).one_or_none()
        if found is not None:
            return found
    if alarm.device_code is None:
        return None
    return session.scalars(select(VoiceCall).where(
        VoiceCall.device_code == alarm.device_code, VoiceCall.kind == CallKind.SOS, VoiceCall.alarm_id.is_(None),
        VoiceCall.state.in_(ACTIVE_VALUES)).order_by(VoiceCall.offered_at.desc()).limit(1)).one_or_none()


def alarm_for_call(session: Session, call: VoiceCall, now: datetime) -> Alarm | None:
    """The open alarm this SOS call raised: the same SIP Call-ID, else the terminal's latest open alarm."""
    if call.device_code is None:
        return None
    candidates = list(session.scalars(select(Alarm).where(
        Alarm.device_code == call.device_code, Alarm.state != AlarmState.RESOLVED, Alarm.last_at >= now - RECENT)
        .order_by(Alarm.last_at.desc()).limit(20)))
    same = [a for a in candidates if _alarm_call_id(a) == call.sip_call_id]
    return same[0] if same else next((a for a in candidates if a.kind == "sos"), None)


def link_alarm(session: Session, event: Event[Any]) -> None:
    """An alarm raised or repeated by an SOS terminal: tie it to the terminal's call (once)."""
    if event.payload.device_code is None:
        return
    alarm = session.get(Alarm, event.payload.alarm_id)
    if alarm is None:
        return
    call = call_for_alarm(session, alarm)
    if call is not None and call.alarm_id is None:
        call.alarm_id = alarm.id
        if call.incident_id is None:
            call.incident_id = _incident_of_alarm(session, alarm.id)


def link_call(session: Session, event: Event[Any]) -> None:
    """A new SOS call rings: tie it to the alarm its SIP events raised, if that came first."""
    change: CallChanged = event.payload
    if change.kind != CallKind.SOS or change.alarm_id is not None or change.escalation_level:
        return
    call = session.get(VoiceCall, change.call_id)
    if call is None or call.alarm_id is not None:
        return
    alarm = alarm_for_call(session, call, event.recorded_at)
    if alarm is not None:
        call.alarm_id = alarm.id
        call.incident_id = call.incident_id or _incident_of_alarm(session, alarm.id)


def _incident_of_alarm(session: Session, alarm_id: int) -> int | None:
    return session.scalar(select(Incident.id).where(Incident.alarm_id == alarm_id))


def acknowledge_alarm(session: Session, event: Event[Any]) -> None:
    """Answering an SOS call acknowledges its alarm (the operator is on it); escalation of the alarm stops."""
    change: CallChanged = event.payload
    if change.alarm_id is None or change.answered_by is None:
        return
    alarm = session.get(Alarm, change.alarm_id)
    if alarm is None or alarm.state != AlarmState.NEW:
        return
    call = session.get(VoiceCall, change.call_id)
    name = (call.answered_by_name if call is not None else None) or f"user:{change.answered_by}"
    try:
        alarm_service.acknowledge(session, alarm_id=alarm.id, user_id=change.answered_by, user_name=name,
                                  ctx=_context(event), config=alarms_config.current())
    except QorgauError as exc:  # acknowledged meanwhile by someone at the alarm desk: nothing to do
        log.info("alarm %s not acknowledged from its call: %s", alarm.id, exc.code)


def link_incident(session: Session, event: Event[Any]) -> None:
    """An incident opened from an alarm: the alarm's SOS calls are linked to it."""
    incident = incident_service.get(session, event.payload.incident_id)
    if incident.alarm_id is None:
        return
    for call in session.scalars(select(VoiceCall).where(VoiceCall.alarm_id == incident.alarm_id,
                                                        VoiceCall.incident_id.is_(None))):
        call.incident_id = incident.id


def subscribers() -> list[Subscriber]:
    return [
        Subscriber("voice.alarm_link", link_alarm, frozenset({alarm_events.RAISED.name, alarm_events.REPEATED.name})),
        Subscriber("voice.call_link", link_call, frozenset({events.RINGING.name})),
        Subscriber("voice.alarm_ack", acknowledge_alarm, frozenset({events.ANSWERED.name})),
        Subscriber("voice.incident_link", link_incident, frozenset({incident_events.OPENED.name})),
    ]
