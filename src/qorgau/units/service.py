"""Units: the registry, crew and trackers, status and positions. Functions never commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from qorgau.auth import service as auth_service
from qorgau.core.bus import Context, publish
from qorgau.core.errors import Conflict, NotFound, QorgauError
from qorgau.core.time import utcnow
from qorgau.units.enums import StallFlag, UnitKind, UnitStatus
from qorgau.units.events import MOVED, STATUS_CHANGED, UnitMoved, UnitStatusChanged
from qorgau.units.models import Assignment, Unit, UnitMember, UnitPosition, UnitTracker
from qorgau.units.schemas import UnitCreate, UnitPatch, UnitRead


def get(session: Session, code: str) -> Unit:
    unit = session.scalars(select(Unit).where(Unit.code == code.strip().upper())).one_or_none()
    if unit is None:
        raise NotFound("units.not_found", params={"code": code})
    return unit


def of_user(session: Session, user_id: int) -> Unit:
    """The unit whose crew the user is in; 404 `units.not_a_member` when none."""
    unit = session.scalars(select(Unit).join(UnitMember, UnitMember.unit_id == Unit.id)
                           .where(UnitMember.user_id == user_id)).one_or_none()
    if unit is None:
        raise NotFound("units.not_a_member")
    return unit


def unit_id_of_user(session: Session, user_id: int) -> int | None:
    """The id of the unit whose crew the user is in, if any."""
    return session.scalar(select(UnitMember.unit_id).where(UnitMember.user_id == user_id))


def names(session: Session, codes: Sequence[str]) -> dict[str, str]:
    """Code → name of the units named (unknown codes are left out)."""
    return {code: name for code, name in session.execute(select(Unit.code, Unit.name).where(Unit.code.in_(codes)))}


def members(session: Session, unit_id: int) -> list[int]:
    return list(session.scalars(select(UnitMember.user_id).where(UnitMember.unit_id == unit_id)
                                .order_by(UnitMember.user_id)))


def trackers(session: Session, unit_id: int) -> list[str]:
    return list(session.scalars(select(UnitTracker.tracker_id).where(UnitTracker.unit_id == unit_id)
                                .order_by(UnitTracker.tracker_id)))


def to_read(session: Session, unit: Unit, *, now: datetime, stale_s: float) -> UnitRead:
    age = (now - unit.position_at).total_seconds() if unit.position_at is not None else None
    stale = unit.kind != UnitKind.POST and (age is None or age > stale_s)
    incident_id, flag, flagged_at = None, None, None
    if unit.current_assignment_id is not None:
        held = session.execute(select(Assignment.incident_id, Assignment.flag, Assignment.flagged_at)
                               .where(Assignment.id == unit.current_assignment_id)).one_or_none()
        if held is not None:
            incident_id, flag, flagged_at = held
    return UnitRead(
        code=unit.code, kind=UnitKind(unit.kind), name=unit.name, site_code=unit.site_code, active=unit.active,
        simulated=bool(unit.simulated), status=UnitStatus(unit.status), status_changed_at=unit.status_changed_at,
        time_in_status_s=round((now - unit.status_changed_at).total_seconds(), 1), lon=unit.lon, lat=unit.lat,
        position_at=unit.position_at, position_age_s=None if age is None else round(age, 1), stale=stale,
        members=members(session, unit.id), trackers=trackers(session, unit.id),
        assignment_id=unit.current_assignment_id, incident_id=incident_id,
        flag=StallFlag(flag) if flag else None, flagged_at=flagged_at)


def board(session: Session, *, kinds: Sequence[UnitKind] = (), statuses: Sequence[UnitStatus] = (),
          simulated: bool | None = None) -> list[Unit]:
    query = select(Unit).where(Unit.active.is_(True)).order_by(Unit.code)
    if simulated is not None:
        query = query.where(Unit.simulated.is_(simulated))
    if kinds:
        query = query.where(Unit.kind.in_([str(k) for k in kinds]))
    if statuses:
        query = query.where(Unit.status.in_([str(s) for s in statuses]))
    return list(session.scalars(query))


def _set_crew(session: Session, unit: Unit, user_ids: list[int] | None, tracker_ids: list[str] | None) -> None:
    if user_ids is not None:
        for user_id in dict.fromkeys(user_ids):
            try:
                auth_service.get(session, user_id)
            except NotFound:  # a 422 naming the user, not the foreign key's failure at flush (a 500)
                raise QorgauError("units.unknown_member", status=422, params={"user": user_id}) from None
        session.execute(delete(UnitMember).where(UnitMember.unit_id == unit.id))
        # A user moves to this unit from any other: one unit per user keeps the unit app unambiguous.
        session.execute(delete(UnitMember).where(UnitMember.user_id.in_(user_ids)))
        session.add_all(UnitMember(user_id=u, unit_id=unit.id) for u in dict.fromkeys(user_ids))
    if tracker_ids is not None:
        wanted = [t.strip() for t in dict.fromkeys(tracker_ids) if t.strip()]
        taken = session.scalars(select(UnitTracker).where(UnitTracker.tracker_id.in_(wanted),
                                                          UnitTracker.unit_id != unit.id)).first()
        if taken is not None:
            raise Conflict("units.tracker_taken", params={"tracker": taken.tracker_id})
        session.execute(delete(UnitTracker).where(UnitTracker.unit_id == unit.id))
        session.add_all(UnitTracker(tracker_id=t, unit_id=unit.id) for t in wanted)
    session.flush()


def create(session: Session, *, unit_in: UnitCreate, ctx: Context) -> Unit:
    if session.scalar(select(Unit.id).where(Unit.code == unit_in.code)) is not None:
        raise Conflict("units.exists", params={"code": unit_in.code})
    if (unit_in.lon is None) != (unit_in.lat is None):
        raise QorgauError("request.validation_failed", status=422, params={"fields": "lon, lat"},
                          errors=[{"field": "lon", "message": "give both lon and lat, or neither"}])
    now = utcnow()
    unit = Unit(code=unit_in.code, kind=str(unit_in.kind), name=unit_in.name, site_code=unit_in.site_code,
                active=unit_in.active, simulated=unit_in.simulated, status=UnitStatus.AVAILABLE,
                status_changed_at=now, lon=unit_in.lon, lat=unit_in.lat,
                position_at=now if unit_in.lon is not None else None,
                position_source="registry" if unit_in.lon is not None else None, created_at=now, updated_at=now)
    session.add(unit)
    session.flush()
    _set_crew(session, unit, unit_in.members, unit_in.trackers)
    return unit


def update(session: Session, *, code: str, patch: UnitPatch, ctx: Context) -> Unit:
    unit = get(session, code)
    given = patch.model_dump(exclude_unset=True)
    for name in ("name", "site_code", "active", "simulated"):
        if name in given and given[name] is not None:
            setattr(unit, name, given[name])
    if patch.status is not None and patch.status != unit.status:
        if unit.current_assignment_id is not None:
            raise Conflict("units.assigned", params={"code": unit.code})
        set_status(session, unit, UnitStatus(patch.status), ctx=ctx)
    _set_crew(session, unit, patch.members, patch.trackers)
    unit.updated_at = utcnow()
    return unit


def set_status(session: Session, unit: Unit, status: UnitStatus, *, ctx: Context,
               incident_id: int | None = None) -> None:
    previous = UnitStatus(unit.status)
    if previous == status:
        return
    unit.status, unit.status_changed_at = status, utcnow()
    publish_status(session, unit, previous, ctx=ctx, incident_id=incident_id)


def publish_status(session: Session, unit: Unit, previous: UnitStatus, *, ctx: Context,
                   incident_id: int | None = None) -> None:
    """Announce a status the unit already holds (dispatch sets it with a conditional UPDATE)."""
    publish(session, STATUS_CHANGED, subject_id=unit.code, ctx=unit_context(unit, ctx), payload=UnitStatusChanged(
        code=unit.code, kind=UnitKind(unit.kind), previous=previous, current=UnitStatus(unit.status),
        incident_id=incident_id))


def move(session: Session, unit: Unit, *, lon: float, lat: float, at: datetime, source: str, ctx: Context,
         speed_kmh: float | None = None, heading_deg: float | None = None) -> bool:
    """Record a fix; the unit keeps the newest one (late fixes only go to the history). True if it moved."""
    session.add(UnitPosition(unit_id=unit.id, lon=lon, lat=lat, at=at, source=source))
    if unit.position_at is not None and unit.position_at >= at:
        return False
    unit.lon, unit.lat, unit.position_at, unit.position_source = lon, lat, at, source
    unit.speed_kmh, unit.heading_deg = speed_kmh, heading_deg
    publish(session, MOVED, subject_id=unit.code, ctx=unit_context(unit, ctx),
            payload=UnitMoved(code=unit.code, lon=lon, lat=lat, at=at))
    return True


def unit_context(unit: Unit, ctx: Context) -> Context:
    """The context of something the unit did: simulated whenever the unit is, whoever reported it."""
    return ctx.model_copy(update={"simulated": True}) if unit.simulated and not ctx.simulated else ctx


def unit_of_tracker(session: Session, tracker_id: str) -> Unit | None:
    return session.scalars(select(Unit).join(UnitTracker, UnitTracker.unit_id == Unit.id)
                           .where(UnitTracker.tracker_id == tracker_id)).one_or_none()
