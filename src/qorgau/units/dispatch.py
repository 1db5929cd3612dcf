"""Dispatch: recommending units, sending one (atomically), the unit's answers and progress, reassignment.

A unit can hold one open assignment. Dispatch sets the unit's status and open assignment with one conditional
UPDATE (… WHERE status = 'available' AND current_assignment_id IS NULL): of two dispatchers sending the same
unit at once, the second one's update matches no row and is refused with 409, whatever the database.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from qorgau.city import service as city_service
from qorgau.core.bus import Context, publish
from qorgau.core.errors import Conflict, NotFound, QorgauError
from qorgau.core.time import utcnow
from qorgau.incidents import coverage
from qorgau.incidents import service as incident_service
from qorgau.incidents.service import Target
from qorgau.units import service
from qorgau.units.enums import ACTIVE_STAGES, NEXT_STAGES, STATUS_OF_STAGE, Stage, UnitKind, UnitStatus
from qorgau.units.events import ASSIGNMENT_CHANGED, AssignmentChanged
from qorgau.units.models import Assignment, Unit
from qorgau.units.recommend import Candidate, Recommendation, recommend
from qorgau.units.schemas import AssignmentRead

_STAMP = {Stage.ACCEPTED: "accepted_at", Stage.DECLINED: "declined_at", Stage.EN_ROUTE: "en_route_at",
          Stage.ON_SCENE: "on_scene_at", Stage.RESOLVED: "ended_at", Stage.CLEARED: "ended_at",
          Stage.REASSIGNED: "ended_at"}


def located(incident: Target) -> tuple[float, float]:
    if incident.lon is None or incident.lat is None:
        raise Conflict("incidents.no_location", params={"number": incident.number})
    return incident.lon, incident.lat


def candidates(session: Session, codes: list[str] | None = None) -> list[Candidate]:
    query = select(Unit).where(Unit.active.is_(True), Unit.status == UnitStatus.AVAILABLE, Unit.lon.is_not(None))
    if codes is not None:
        query = query.where(Unit.code.in_(codes))
    return [Candidate(u.code, UnitKind(u.kind), float(u.lon or 0), float(u.lat or 0), u.position_at)
            for u in session.scalars(query.order_by(Unit.code))]


def recommendations(session: Session, *, incident_id: int, now: datetime, stale_s: float, lost_s: float,
                    limit: int, codes: list[str] | None = None) -> list[Recommendation]:
    """The best available units for the incident by travel time on the active model's streets."""
    target = located(incident_service.target(session, incident_id))
    graph = city_service.active_graph(session)
    return recommend(graph, target, candidates(session, codes), now=now, stale_s=stale_s, lost_s=lost_s,
                     limit=limit)


def assignment(session: Session, assignment_id: int, *, lock: bool = False) -> Assignment:
    query = select(Assignment).where(Assignment.id == assignment_id)
    found = session.scalars(query.with_for_update() if lock else query).one_or_none()
    if found is None:
        raise NotFound("units.assignment_not_found", params={"id": assignment_id})
    return found


def to_read(session: Session, row: Assignment) -> AssignmentRead:
    code = session.scalar(select(Unit.code).where(Unit.id == row.unit_id)) or "-"
    return AssignmentRead.model_validate({**{c: getattr(row, c) for c in AssignmentRead.model_fields
                                             if c != "unit_code"}, "unit_code": code})


def _announce(session: Session, row: Assignment, unit: Unit, stage: Stage, at: datetime, ctx: Context,
              reason: str | None = None) -> None:
    publish(session, ASSIGNMENT_CHANGED, subject_id=str(row.id), ctx=ctx, payload=AssignmentChanged(
        assignment_id=row.id, unit_code=unit.code, unit_kind=UnitKind(unit.kind), incident_id=row.incident_id,
        stage=stage, at=at, eta_s=row.eta_s, reason=reason))


def dispatch(session: Session, *, incident_id: int, unit_code: str, actor: str, ctx: Context,
             stale_s: float, lost_s: float) -> Assignment:
    """Send a unit to an incident; 409 `units.busy` when it is not available (also when another dispatcher won)."""
    incident = incident_service.target(session, incident_id)
    if not incident.is_open:
        raise Conflict("incidents.not_open", params={"number": incident.number, "state": incident.state})
    unit = service.get(session, unit_code)
    if unit.status != UnitStatus.AVAILABLE or not unit.active:
        raise Conflict("units.busy", params={"code": unit.code, "status": unit.status})
    eta, route = _estimate(session, incident, unit, stale_s=stale_s, lost_s=lost_s)
    now = utcnow()
    row = Assignment(unit_id=unit.id, incident_id=incident.id, stage=Stage.DISPATCHED, active=True,
                     dispatched_by=actor, dispatched_at=now, eta_s=eta, route=route)
    session.add(row)
    session.flush()
    won = session.execute(
        update(Unit).where(Unit.id == unit.id, Unit.status == UnitStatus.AVAILABLE,
                           Unit.current_assignment_id.is_(None))
        .values(status=UnitStatus.DISPATCHED, current_assignment_id=row.id, status_changed_at=now, updated_at=now)
        .execution_options(synchronize_session=False))
    if won.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("units.busy", params={"code": unit.code, "status": UnitStatus.DISPATCHED})
    session.refresh(unit)
    service.publish_status(session, unit, UnitStatus.AVAILABLE, ctx=ctx, incident_id=incident.id)
    _announce(session, row, unit, Stage.DISPATCHED, now, ctx)
    return row


def _estimate(session: Session, incident: Target, unit: Unit, *, stale_s: float,
              lost_s: float) -> tuple[float | None, dict[str, object] | None]:
    """ETA and route at dispatch, when there is a model, a location and a usable position (else none)."""
    if incident.lon is None or incident.lat is None or unit.lon is None:
        return None, None
    try:
        graph = city_service.active_graph(session)
        found = recommend(graph, (incident.lon, incident.lat),
                          [Candidate(unit.code, UnitKind(unit.kind), unit.lon, unit.lat or 0.0, unit.position_at)],
                          now=utcnow(), stale_s=stale_s, lost_s=lost_s, limit=1)
    except (QorgauError, LookupError):
        return None, None
    if not found:
        return None, None
    coordinates = [[round(x, 6), round(y, 6)] for x, y in found[0].route]
    return round(found[0].eta_s, 1), {"type": "LineString", "coordinates": coordinates}


def advance(session: Session, *, assignment_id: int, stage: Stage, ctx: Context, reason: str | None = None,
            unit: Unit | None = None) -> Assignment:
    """A unit's answer or progress (accept, decline, en route, on scene, resolved); 409 names what is allowed."""
    row = assignment(session, assignment_id, lock=True)
    if unit is not None and row.unit_id != unit.id:
        raise QorgauError("units.not_your_assignment", status=403, params={"id": assignment_id})
    allowed = NEXT_STAGES.get(Stage(row.stage), ()) if row.active else ()
    if stage not in allowed:
        raise Conflict("units.invalid_stage", params={"from": row.stage, "to": str(stage),
                                                       "allowed": ", ".join(allowed) or "-"},
                       extra={"allowed": [str(s) for s in allowed]})
    return _enter(session, row, stage, ctx=ctx, reason=reason)


def _enter(session: Session, row: Assignment, stage: Stage, *, ctx: Context, reason: str | None) -> Assignment:
    now = utcnow()
    row.stage = stage
    setattr(row, _STAMP[stage], now)
    if stage == Stage.DECLINED:
        row.decline_reason = reason
    unit = session.get(Unit, row.unit_id, with_for_update=True)
    if unit is None:  # a foreign key holds it; this only guards against a deleted row mid-request
        raise NotFound("units.not_found", params={"code": row.unit_id})
    status = STATUS_OF_STAGE[stage]
    if status is None:
        row.active = False
        if unit.current_assignment_id == row.id:
            unit.current_assignment_id = None
            service.set_status(session, unit, UnitStatus.AVAILABLE, ctx=ctx)
    else:
        service.set_status(session, unit, status, ctx=ctx, incident_id=row.incident_id)
    session.flush()
    _announce(session, row, unit, stage, now, ctx, reason)
    return row


def release(session: Session, *, assignment_id: int, ctx: Context) -> Assignment:
    """The dispatcher frees the unit (the incident goes on without it)."""
    row = assignment(session, assignment_id, lock=True)
    if not row.active:
        raise Conflict("units.assignment_closed", params={"id": assignment_id})
    return _enter(session, row, Stage.CLEARED, ctx=ctx, reason=None)


def reassign(session: Session, *, assignment_id: int, unit_code: str, actor: str, ctx: Context, reason: str | None,
             stale_s: float, lost_s: float) -> Assignment:
    """Hand the incident from this assignment's unit to another; both rows stay as history."""
    row = assignment(session, assignment_id, lock=True)
    if not row.active:
        raise Conflict("units.assignment_closed", params={"id": assignment_id})
    fresh = dispatch(session, incident_id=row.incident_id, unit_code=unit_code, actor=actor, ctx=ctx,
                     stale_s=stale_s, lost_s=lost_s)
    row.replaced_by = fresh.id
    _enter(session, row, Stage.REASSIGNED, ctx=ctx, reason=reason)
    return fresh


def of_unit(session: Session, unit: Unit) -> list[Assignment]:
    """The unit's assignments, newest first."""
    return list(session.scalars(select(Assignment).where(Assignment.unit_id == unit.id).order_by(Assignment.id.desc())))


def of_incident(session: Session, incident_id: int) -> list[Assignment]:
    """Every unit sent to the incident, in order (404 for an unknown incident)."""
    incident_service.target(session, incident_id)
    return list(session.scalars(select(Assignment).where(Assignment.incident_id == incident_id)
                                .order_by(Assignment.id)))


def current(session: Session, unit: Unit) -> Assignment | None:
    if unit.current_assignment_id is None:
        return None
    return session.get(Assignment, unit.current_assignment_id)


def units_on(session: Session, incident_id: int) -> coverage.Units:
    """The incident's open assignments counted by stage, and how many are flagged as stalled."""
    rows = session.execute(select(Assignment.stage, func.count(), func.count(Assignment.flag))
                           .where(Assignment.incident_id == incident_id, Assignment.active.is_(True))
                           .group_by(Assignment.stage)).all()
    by_stage = {stage: count for stage, count, _ in rows}
    return coverage.Units(active=sum(by_stage.get(s, 0) for s in ACTIVE_STAGES),
                          en_route=by_stage.get(Stage.EN_ROUTE, 0) + by_stage.get(Stage.ON_SCENE, 0),
                          on_scene=by_stage.get(Stage.ON_SCENE, 0), stalled=sum(flagged for _, _, flagged in rows))
