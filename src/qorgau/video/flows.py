"""The video domain's reactions to the desk: alarms start event recording, incidents protect recordings."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from qorgau.alarms.events import RAISED, AlarmChanged
from qorgau.core.bus import Event
from qorgau.core.bus.dispatch import Subscriber
from qorgau.core.settings import current
from qorgau.incidents.enums import IncidentState
from qorgau.incidents.events import OPENED, STATE_CHANGED, IncidentChanged
from qorgau.video import triggers
from qorgau.video.config import VideoSettings


def on_alarm(session: Session, event: Event[Any]) -> None:
    payload = event.payload
    if not isinstance(payload, AlarmChanged) or payload.lon is None or payload.lat is None:
        return
    triggers.record_around(session=session, lon=payload.lon, lat=payload.lat, at=payload.first_at,
                           cause=f"alarm:{payload.alarm_id}", settings=current(VideoSettings))


def on_incident(session: Session, event: Event[Any]) -> None:
    payload = event.payload
    if not isinstance(payload, IncidentChanged):
        return
    if payload.state is IncidentState.CLOSED:
        triggers.release_incident(session=session, number=payload.number, at=event.occurred_at)
    elif event.name == OPENED.name and payload.lon is not None and payload.lat is not None:
        triggers.protect_incident(session=session, number=payload.number, lon=payload.lon, lat=payload.lat,
                                  at=event.occurred_at, actor=event.context.actor)


def subscribers() -> list[Subscriber]:
    return [Subscriber("video.event_recording", on_alarm, frozenset({RAISED.name})),
            Subscriber("video.incident_protection", on_incident, frozenset({OPENED.name, STATE_CHANGED.name}))]
