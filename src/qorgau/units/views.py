"""HTTP routes of units and dispatch: the board, unit registry, recommendations, dispatch, and the unit app."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy.orm import Session

from qorgau.audit import service as audit
from qorgau.auth import service as auth_service
from qorgau.auth.deps import Require
from qorgau.auth.enums import Permission
from qorgau.auth.service import Principal
from qorgau.core.errors import QorgauError
from qorgau.core.pagination import Page
from qorgau.core.runtime import Runtime
from qorgau.core.time import utcnow
from qorgau.core.web import AppRuntime, ClientSource, DbSession, IdPath, ReadSession
from qorgau.incidents import service as incident_service
from qorgau.incidents.present import detail
from qorgau.incidents.schemas import NoteIn, NoteRead
from qorgau.units import dispatch, service
from qorgau.units.config import UnitsSettings
from qorgau.units.enums import Stage, UnitKind, UnitStatus
from qorgau.units.models import Unit
from qorgau.units.schemas import (
    AssignmentRead,
    DeclineIn,
    DispatchIn,
    LineString,
    MyUnit,
    PositionIn,
    ProgressIn,
    ReassignIn,
    RecommendationRead,
    UnitCreate,
    UnitPatch,
    UnitRead,
)

router = APIRouter(prefix="/api", tags=["units"])
Reader = Annotated[Principal, Require(Permission.UNITS_READ)]
Writer = Annotated[Principal, Require(Permission.UNITS_WRITE)]
Dispatcher = Annotated[Principal, Require(Permission.UNITS_DISPATCH)]
Reporter = Annotated[Principal, Require(Permission.UNITS_REPORT)]


def _limits(runtime: Runtime) -> dict[str, float]:
    settings = runtime.settings.part(UnitsSettings)
    return {"stale_s": settings.unit_position_stale_s, "lost_s": settings.unit_position_lost_s}


def _unit(db: Session, unit: Unit, runtime: Runtime) -> UnitRead:
    return service.to_read(db, unit, now=utcnow(), stale_s=runtime.settings.part(UnitsSettings).unit_position_stale_s)


@router.get("/units", response_model=Page[UnitRead])
def board(_: Reader, db: ReadSession, runtime: AppRuntime, kind: Annotated[list[UnitKind] | None, Query()] = None,
          status: Annotated[list[UnitStatus] | None, Query()] = None,
          simulated: Annotated[bool | None, Query(description="Only simulated units (true) or only real ones.")]
          = None) -> Page[UnitRead]:
    """Every unit in service with its status, time in status, position and whether that position is stale."""
    rows = service.board(db, kinds=kind or (), statuses=status or (), simulated=simulated)
    return Page(items=[_unit(db, u, runtime) for u in rows], next_cursor=None)


@router.post("/units", response_model=UnitRead, status_code=201)
def create_unit(body: UnitCreate, principal: Writer, db: DbSession, runtime: AppRuntime,
                source: ClientSource) -> UnitRead:
    if principal.simulated_only:  # the simulator's role: simulated units, crewed by its own accounts
        principal.confine(simulated=body.simulated and auth_service.all_simulated(db, body.members))
    unit = service.create(db, unit_in=body, ctx=principal.context())
    audit.record(db, action="units.create", actor=principal.actor(source), target_type="unit", target_id=unit.code,
                 details={"kind": unit.kind, "members": body.members})
    return _unit(db, unit, runtime)


@router.get("/units/{code}", response_model=UnitRead)
def get_unit(code: str, _: Reader, db: ReadSession, runtime: AppRuntime) -> UnitRead:
    return _unit(db, service.get(db, code), runtime)


@router.patch("/units/{code}", response_model=UnitRead)
def update_unit(code: str, body: UnitPatch, principal: Writer, db: DbSession, runtime: AppRuntime,
                source: ClientSource) -> UnitRead:
    """Change a unit: name, МОП, crew, trackers, in service, or status by hand (available, busy, off duty)."""
    crew_before = service.members(db, service.get(db, code).id) if body.members is not None else None
    if principal.simulated_only:  # the simulator's role: its own units, and only its own accounts join a crew
        unit = service.get(db, code)
        joining = set(body.members or ()) - set(service.members(db, unit.id))
        principal.confine(simulated=unit.simulated and body.simulated is not False
                          and auth_service.all_simulated(db, joining))
    unit = service.update(db, code=code, patch=body, ctx=principal.context())
    # Audited: who bound which accounts to a unit (a crew member reads that unit's assignments).
    changes: dict[str, object] = {"fields": sorted(body.model_dump(exclude_unset=True))}
    if crew_before is not None:
        changes.update(members_before=sorted(crew_before), members=sorted(set(body.members or ())))
    audit.record(db, action="units.update", actor=principal.actor(source), target_type="unit", target_id=unit.code,
                 details=changes)
    return _unit(db, unit, runtime)


def _crew_unit(db: Session, principal: Principal) -> int | None:
    """The caller's own unit when it reads its own unit's work only (a crew); None when it reads any unit's."""
    if not principal.own_unit_only:
        return None
    unit = service.unit_id_of_user(db, principal.user_id)
    if unit is None:
        raise QorgauError("units.own_unit_only", status=403)
    return unit


@router.get("/units/{code}/assignments", response_model=list[AssignmentRead])
def unit_assignments(code: str, principal: Reader, db: ReadSession) -> list[AssignmentRead]:
    """The unit's assignments, newest first; a crew reads its own unit's only."""
    unit = service.get(db, code)
    if _crew_unit(db, principal) not in (None, unit.id):
        raise QorgauError("units.own_unit_only", status=403)
    return [dispatch.to_read(db, r) for r in dispatch.of_unit(db, unit)]


@router.get("/incidents/{incident_id}/assignments", response_model=list[AssignmentRead])
def incident_assignments(incident_id: IdPath, principal: Reader, db: ReadSession) -> list[AssignmentRead]:
    """Every unit sent to the incident, in order, declined and reassigned ones included; a crew reads its own
    unit's only, and only for an incident its unit was sent to."""
    rows = dispatch.of_incident(db, incident_id)
    crew_unit = _crew_unit(db, principal)
    if crew_unit is not None:
        rows = [r for r in rows if r.unit_id == crew_unit]
        if not rows:
            raise QorgauError("units.own_unit_only", status=403)
    return [dispatch.to_read(db, r) for r in rows]


@router.get("/incidents/{incident_id}/recommendations", response_model=list[RecommendationRead])
def recommendations(incident_id: IdPath, principal: Reader, db: ReadSession, runtime: AppRuntime,
                    limit: Annotated[int, Query(ge=1, le=50)] = 5) -> list[RecommendationRead]:
    """The best available units by travel time on the streets (drive or walk), with ETA and route; for the
    simulator's role, its simulated units only (the only ones it may send)."""
    settings = runtime.settings.part(UnitsSettings)
    found = dispatch.recommendations(db, incident_id=incident_id, now=utcnow(),
                                     limit=50 if principal.simulated_only else limit,
                                     stale_s=settings.unit_position_stale_s, lost_s=settings.unit_position_lost_s)
    if principal.simulated_only:
        mine = {u.code for u in service.board(db, simulated=True)}
        found = [r for r in found if r.code in mine][:limit]
    names = service.names(db, [r.code for r in found])
    return [RecommendationRead(code=r.code, kind=r.kind, name=names.get(r.code, r.code), mode=r.mode,
                               eta_s=round(r.eta_s, 1), meters=round(r.meters, 1), stale=r.stale,
                               position_age_s=None if r.age_s is None else round(r.age_s, 1),
                               route=LineString(coordinates=[(round(x, 6), round(y, 6)) for x, y in r.route]))
            for r in found]


def _simulated_assignment(db: Session, assignment_id: int) -> bool:
    """Whether the assignment's unit and incident are both simulated."""
    row = dispatch.assignment(db, assignment_id)
    unit = db.get(Unit, row.unit_id)
    return bool(unit is not None and unit.simulated and incident_service.get(db, row.incident_id).simulated)


@router.post("/incidents/{incident_id}/dispatch", response_model=AssignmentRead, status_code=201,
             responses={409: {"description": "The unit is not available (busy, or another dispatcher was first)"}})
def dispatch_unit(incident_id: IdPath, body: DispatchIn, principal: Dispatcher, db: DbSession,
                  runtime: AppRuntime) -> AssignmentRead:
    """Send a unit; its ETA and route at this moment are kept on the assignment."""
    if principal.simulated_only:  # the simulator's role sends its own units to simulated incidents only
        principal.confine(simulated=service.get(db, body.unit_code).simulated
                          and incident_service.get(db, incident_id).simulated)
    row = dispatch.dispatch(db, incident_id=incident_id, unit_code=body.unit_code, actor=f"user:{principal.user_id}",
                            ctx=principal.context(), **_limits(runtime))
    return dispatch.to_read(db, row)


@router.post("/assignments/{assignment_id}/reassign", response_model=AssignmentRead, status_code=201)
def reassign(assignment_id: IdPath, body: ReassignIn, principal: Dispatcher, db: DbSession,
             runtime: AppRuntime) -> AssignmentRead:
    """Hand the incident to another unit; returns the new assignment (the old one stays, `reassigned`)."""
    if principal.simulated_only:
        principal.confine(simulated=_simulated_assignment(db, assignment_id)
                          and service.get(db, body.unit_code).simulated)
    row = dispatch.reassign(db, assignment_id=assignment_id, unit_code=body.unit_code,
                            actor=f"user:{principal.user_id}", ctx=principal.context(), reason=body.reason,
                            **_limits(runtime))
    return dispatch.to_read(db, row)


@router.post("/assignments/{assignment_id}/clear", response_model=AssignmentRead)
def clear(assignment_id: IdPath, principal: Dispatcher, db: DbSession) -> AssignmentRead:
    """Release the unit from the incident."""
    if principal.simulated_only:
        principal.confine(simulated=_simulated_assignment(db, assignment_id))
    return dispatch.to_read(db, dispatch.release(db, assignment_id=assignment_id, ctx=principal.context()))


@router.get("/me/unit", response_model=MyUnit)
def my_unit(principal: Reader, db: ReadSession, runtime: AppRuntime) -> MyUnit:
    """The unit app's screen: my unit, its open assignment (with the route) and that incident."""
    unit = service.of_user(db, principal.user_id)
    row = dispatch.current(db, unit)
    incident = None
    if row is not None:
        incident = detail(db, runtime.db, incident_service.get(db, row.incident_id), with_caller=True)
    return MyUnit(unit=_unit(db, unit, runtime), assignment=dispatch.to_read(db, row) if row else None,
                  incident=incident)


@router.post("/me/unit/position", response_model=UnitRead)
def report_position(body: PositionIn, principal: Reporter, db: DbSession, runtime: AppRuntime) -> UnitRead:
    """The phone's position for my unit."""
    unit = service.of_user(db, principal.user_id)
    service.move(db, unit, lon=body.lon, lat=body.lat, at=body.at or utcnow(), source="unit_app",
                 ctx=principal.context(), speed_kmh=body.speed_kmh, heading_deg=body.heading_deg)
    return _unit(db, unit, runtime)


def _advance(db: Session, principal: Principal, assignment_id: int, stage: Stage,
             reason: str | None = None) -> AssignmentRead:
    unit = service.of_user(db, principal.user_id)
    row = dispatch.advance(db, assignment_id=assignment_id, stage=stage, ctx=principal.context(), reason=reason,
                           unit=unit)
    return dispatch.to_read(db, row)


@router.post("/assignments/{assignment_id}/accept", response_model=AssignmentRead)
def accept(assignment_id: IdPath, principal: Reporter, db: DbSession) -> AssignmentRead:
    return _advance(db, principal, assignment_id, Stage.ACCEPTED)


@router.post("/assignments/{assignment_id}/decline", response_model=AssignmentRead)
def decline(assignment_id: IdPath, body: DeclineIn, principal: Reporter, db: DbSession) -> AssignmentRead:
    """Decline with a reason; the unit is available again and the dispatcher sends another."""
    return _advance(db, principal, assignment_id, Stage.DECLINED, body.reason)


@router.post("/assignments/{assignment_id}/progress", response_model=AssignmentRead)
def progress(assignment_id: IdPath, body: ProgressIn, principal: Reporter, db: DbSession) -> AssignmentRead:
    """En route, on scene, resolved: these set the incident's times (the first unit to reach each)."""
    return _advance(db, principal, assignment_id, Stage(str(body.stage)))


@router.post("/assignments/{assignment_id}/notes", response_model=NoteRead, status_code=201)
def add_note(assignment_id: IdPath, body: NoteIn, principal: Reporter, db: DbSession) -> NoteRead:
    """A note on the assignment's incident, from the unit app."""
    unit = service.of_user(db, principal.user_id)
    row = dispatch.assignment(db, assignment_id)
    if row.unit_id != unit.id:
        raise QorgauError("units.not_your_assignment", status=403, params={"id": assignment_id})
    note = incident_service.add_note(db, incident_id=row.incident_id, author=f"user:{principal.user_id}",
                                     text=body.text, ctx=principal.context())
    return NoteRead.model_validate(note)
