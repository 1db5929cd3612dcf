"""Cross-domain steps of units: GPS fixes from the ingest move the unit their tracker is bound to; the
incident follows its units' stages, counts and stalls, and is left uncovered when its last unit declines."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from qorgau.core.bus import Event
from qorgau.core.bus.dispatch import Subscriber
from qorgau.incidents import coverage
from qorgau.incidents import service as incident_service
from qorgau.incidents.enums import IncidentState
from qorgau.ingest.events import GPS_FIX, GpsFix
from qorgau.units import dispatch, service
from qorgau.units.enums import Stage
from qorgau.units.events import ASSIGNMENT_CHANGED, DISPATCH_FLAGGED, AssignmentChanged, DispatchFlagged

_STAGE_TO_STATE = {Stage.DISPATCHED: IncidentState.DISPATCHED, Stage.EN_ROUTE: IncidentState.EN_ROUTE,
                   Stage.ON_SCENE: IncidentState.ON_SCENE, Stage.RESOLVED: IncidentState.RESOLVED}


def follow_tracker(session: Session, event: Event[Any]) -> None:
    """Move the tracker's unit; a fix from a tracker bound to no unit is ignored (it is in the event log)."""
    fix: GpsFix = event.payload
    unit = service.unit_of_tracker(session, fix.tracker_id)
    if unit is None:
        return
    ctx = event.context.model_copy(update={"actor": f"tracker:{fix.tracker_id}", "parent_id": event.id})
    service.move(session, unit, lon=fix.position.lon, lat=fix.position.lat, at=fix.fix_time, source=fix.source,
                 ctx=ctx, speed_kmh=fix.speed_kmh, heading_deg=fix.heading_deg)


def incident_follows(session: Session, event: Event[Any]) -> None:
    """Dispatched, en route, on scene (and resolved) move the incident as the first unit reaches each; a unit
    sent is linked to it."""
    change: AssignmentChanged = event.payload
    actor = f"unit:{change.unit_code}"
    ctx = event.context.model_copy(update={"actor": actor, "parent_id": event.id})
    if change.stage == Stage.DISPATCHED:
        incident_service.unit_linked(session, incident_id=change.incident_id, unit_code=change.unit_code,
                                     actor=event.context.actor)
    state = _STAGE_TO_STATE.get(change.stage)
    if state is not None:
        incident_service.unit_reached(session, incident_id=change.incident_id, stage=state, at=change.at,
                                      actor=actor, ctx=ctx)
    left = None
    if change.stage in (Stage.DECLINED, Stage.CLEARED):
        left = coverage.Left(change.unit_code, declined=change.stage == Stage.DECLINED, reason=change.reason)
    coverage.follow_units(session, incident_id=change.incident_id, units=dispatch.units_on(session, change.incident_id),
                          left=left, at=change.at, ctx=ctx)


def incident_sees_stalls(session: Session, event: Event[Any]) -> None:
    """A stall flagged or cleared: the incident's count of stalled units follows."""
    flagged: DispatchFlagged = event.payload
    ctx = event.context.model_copy(update={"parent_id": event.id})
    coverage.follow_units(session, incident_id=flagged.incident_id,
                          units=dispatch.units_on(session, flagged.incident_id), left=None, at=flagged.at, ctx=ctx)


def subscribers() -> list[Subscriber]:
    return [
        Subscriber("units.gps", follow_tracker, frozenset({GPS_FIX.name})),
        # Named as when it lived in incidents.flows: the name keys its stored cursor, so none is lost or redone.
        Subscriber("incidents.units", incident_follows, frozenset({ASSIGNMENT_CHANGED.name})),
        Subscriber("incidents.unit_stalls", incident_sees_stalls, frozenset({DISPATCH_FLAGGED.name})),
    ]
