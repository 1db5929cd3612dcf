"""An incident's units as dispatch reports them: how many are there, the state that follows them, and an
incident left uncovered when its last unit declines or is released.

Units move an incident forward as the first of them reaches each stage (`service.unit_reached`); here it goes
back when the units that made a stage true are gone: on scene with no unit on scene any more is en route,
dispatched or New. The units' flow calls this after every change of an assignment, with counts read at that
moment, so a late event never leaves stale counts behind.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from qorgau.core.bus import Context, publish
from qorgau.incidents import service
from qorgau.incidents.enums import OPEN_STATES, UNIT_STAGES, IncidentState, TimelineEvent
from qorgau.incidents.events import UNITS_CHANGED
from qorgau.incidents.models import Incident, IncidentTransition


@dataclass(frozen=True)
class Units:
    """The incident's open assignments: sent (dispatched … on scene), en route or on scene, on scene, stalled."""

    active: int
    en_route: int
    on_scene: int
    stalled: int


@dataclass(frozen=True)
class Left:
    """A unit that left the incident: declined (with the crew's reason) or released by the dispatcher."""

    unit_code: str
    declined: bool
    reason: str | None


@dataclass(frozen=True)
class Urgency:
    """What the dispatch watch needs of an incident: how urgent, and where."""

    priority: int
    lon: float | None
    lat: float | None


def urgency(session: Session, incident_ids: Collection[int]) -> dict[int, Urgency]:
    if not incident_ids:
        return {}
    rows = session.execute(select(Incident.id, Incident.priority, Incident.lon, Incident.lat)
                           .where(Incident.id.in_(list(incident_ids))))
    return {i: Urgency(p, lon, lat) for i, p, lon, lat in rows}


def _held(incident: Incident) -> IncidentState:
    """The furthest unit stage at or before the current one that its units still make true (else New)."""
    current = UNIT_STAGES.index(IncidentState(incident.state))
    for stage in reversed(UNIT_STAGES[:current + 1]):
        if service.units_hold(incident, stage):
            return stage
    return IncidentState.NEW


def _recorded(session: Session, incident_id: int, actor: str, at: datetime) -> bool:
    return session.scalar(select(IncidentTransition.id).where(
        IncidentTransition.incident_id == incident_id, IncidentTransition.actor == actor,
        IncidentTransition.at == at, IncidentTransition.event == TimelineEvent.UNIT_DECLINED).limit(1)) is not None


def follow_units(session: Session, *, incident_id: int, units: Units, left: Left | None, at: datetime,
                 ctx: Context) -> Incident | None:
    """Keep the incident's unit counts; step its state back to what they hold; record a decline in the timeline;
    mark it uncovered when no unit is left (cleared when one is sent). Announces a change."""
    incident = session.get(Incident, incident_id, with_for_update=True)
    if incident is None:
        return None
    before = (incident.units_active, incident.units_en_route, incident.units_on_scene, incident.units_stalled,
              incident.uncovered_at, incident.state)
    incident.units_active, incident.units_en_route = units.active, units.en_route
    incident.units_on_scene, incident.units_stalled = units.on_scene, units.stalled
    if units.active > 0 or incident.state not in OPEN_STATES:
        incident.uncovered_at = incident.uncovered_reason = None
    elif left is not None:
        incident.uncovered_at = incident.uncovered_at or at
        incident.uncovered_reason = left.reason if left.declined else None
    actor = f"unit:{left.unit_code}" if left is not None else ctx.actor
    event = TimelineEvent.UNIT_DECLINED if left is not None and left.declined else None
    if event is not None and _recorded(session, incident.id, actor, at):
        event = None  # the same decline delivered again (subscribers see an event at least once)
    reason = left.reason if event is not None and left is not None else None
    if IncidentState(incident.state) in UNIT_STAGES and (held := _held(incident)) != incident.state:
        service._move(session, incident, held, actor=actor, ctx=ctx, at=at, reason=reason, event=event)
    elif event is not None:  # other units remain: the state stays, the decline is still on the record
        service._record(session, incident, incident.state, actor, at, reason, event)
    after = (incident.units_active, incident.units_en_route, incident.units_on_scene, incident.units_stalled,
             incident.uncovered_at, incident.state)
    if after != before:
        incident.updated_at = at
        publish(session, UNITS_CHANGED, subject_id=str(incident.id), ctx=ctx,
                payload=service._payload(incident, incident.state))
    return incident
