"""Incidents: opening, numbering, state transitions, notes and links. Functions never commit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from qorgau.core.bus import Context, publish
from qorgau.core.errors import Conflict, NotFound, QorgauError
from qorgau.core.settings import Language
from qorgau.core.time import utcnow
from qorgau.incidents import places
from qorgau.incidents.enums import (
    DEFAULT_ALARM_CATEGORY,
    OPEN_STATES,
    STAGE_COLUMN,
    TRANSITIONS,
    UNIT_STAGES,
    UNITS_FOR_STATE,
    IncidentState,
    LinkKind,
    Source,
    TimelineEvent,
)
from qorgau.incidents.events import NOTED, OPENED, STATE_CHANGED, IncidentChanged, IncidentNoted
from qorgau.incidents.models import (
    AlarmRef,
    Incident,
    IncidentCategory,
    IncidentCounter,
    IncidentLink,
    IncidentNote,
    IncidentTransition,
)
from qorgau.incidents.schemas import IncidentCreate


def get(session: Session, incident_id: int, *, lock: bool = False) -> Incident:
    """The incident; with ``lock`` its row is held until commit, so two writers take turns (PostgreSQL)."""
    query = select(Incident).where(Incident.id == incident_id)
    incident = session.scalars(query.with_for_update() if lock else query).one_or_none()
    if incident is None:
        raise NotFound("incidents.not_found", params={"id": incident_id})
    return incident


@dataclass(frozen=True)
class Target:
    """An incident as dispatch sees it: where to send a unit, and whether it is still open."""

    id: int
    number: str
    state: str
    is_open: bool
    lon: float | None
    lat: float | None


def target(session: Session, incident_id: int) -> Target:
    """The incident's number, state and location; 404 `incidents.not_found`."""
    incident = get(session, incident_id)
    return Target(incident.id, incident.number, incident.state, incident.state in OPEN_STATES, incident.lon,
                  incident.lat)


def category(session: Session, code: str) -> IncidentCategory:
    found = session.get(IncidentCategory, code)
    if found is None or not found.active:
        raise QorgauError("incidents.unknown_category", status=422, params={"code": code},
                          errors=[{"field": "category", "message": code[:40]}])
    return found


def categories(session: Session) -> Sequence[IncidentCategory]:
    return session.scalars(select(IncidentCategory).where(IncidentCategory.active.is_(True))
                           .order_by(IncidentCategory.default_priority, IncidentCategory.code)).all()


def next_number(session: Session, at: datetime) -> str:
    """The year's next number, e.g. 2026-000123; the counter row serialises concurrent openings."""
    year = at.year
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(IncidentCounter).values(year=year, last=0).on_conflict_do_nothing())
    last = session.execute(update(IncidentCounter).where(IncidentCounter.year == year)
                           .values(last=IncidentCounter.last + 1).returning(IncidentCounter.last)).scalar_one()
    return f"{year}-{last:06d}"


def allowed(state: str) -> list[IncidentState]:
    return list(TRANSITIONS[IncidentState(state)])


def units_hold(incident: Incident, state: IncidentState) -> bool:
    """Whether the incident's units make ``state`` true (dispatched, en route and on scene need a unit there)."""
    needed = UNITS_FOR_STATE.get(state)
    return needed is None or getattr(incident, needed) > 0


def allowed_now(incident: Incident) -> list[IncidentState]:
    """The states a person may move the incident to now: its transitions that its units make true."""
    return [s for s in TRANSITIONS[IncidentState(incident.state)] if units_hold(incident, s)]


def _payload(incident: Incident, previous: str | None) -> IncidentChanged:
    return IncidentChanged(
        incident_id=incident.id, number=incident.number, category=incident.category, priority=incident.priority,
        state=IncidentState(incident.state), previous=IncidentState(previous) if previous else None,
        source=Source(incident.source), area=incident.area, lon=incident.lon, lat=incident.lat,
        simulated=incident.simulated)


def _record(session: Session, incident: Incident, previous: str | None, actor: str, at: datetime,
            reason: str | None = None, event: TimelineEvent | None = None) -> None:
    session.add(IncidentTransition(incident_id=incident.id, from_state=previous, to_state=incident.state, at=at,
                                   actor=actor, reason=reason, event=event))


def create(session: Session, *, incident_in: IncidentCreate, actor: str, ctx: Context,
           language: Language = "ru") -> Incident:
    """Open an incident by hand, from a 102 call (address geocoded), or from an alarm already known here."""
    if incident_in.alarm_id is not None:
        ref = session.get(AlarmRef, incident_in.alarm_id)
        if ref is None:
            raise NotFound("incidents.alarm_not_found", params={"id": incident_in.alarm_id})
        return open_from_alarm(session, ref=ref, actor=actor, ctx=ctx, category_code=incident_in.category,
                               description=incident_in.description)
    if incident_in.category is None:
        raise QorgauError("incidents.category_required", status=422,
                          errors=[{"field": "category", "message": "required"}])
    lon, lat, address = incident_in.lon, incident_in.lat, incident_in.address
    if lon is None and address:
        found = places.geocode(session, address, language)
        lon, lat = found.lon, found.lat
    now = utcnow()
    return _open(session, category_code=incident_in.category, priority=incident_in.priority,
                 source=Source(incident_in.source), actor=actor, ctx=ctx, lon=lon, lat=lat, address=address,
                 description=incident_in.description, received_at=incident_in.received_at or now,
                 acknowledged_at=now, simulated=incident_in.simulated or ctx.simulated,
                 caller=(incident_in.caller_name, incident_in.caller_phone))


def open_from_alarm(session: Session, *, ref: AlarmRef, actor: str, ctx: Context, category_code: str | None = None,
                    description: str | None = None) -> Incident:
    """The incident of an alarm (one per alarm: asking again returns the same one), received when it was."""
    existing = session.scalars(select(Incident).where(Incident.alarm_id == ref.alarm_id)).one_or_none()
    if existing is not None:
        return existing
    code = category_code or ref.incident_category or DEFAULT_ALARM_CATEGORY
    if session.get(IncidentCategory, code) is None:
        code = DEFAULT_ALARM_CATEGORY  # a rule may suggest a category this installation does not know
    incident = _open(session, category_code=code, priority=ref.priority, source=Source.ALARM, actor=actor, ctx=ctx,
                     lon=ref.lon, lat=ref.lat, address=places.site_address(session, ref.site_code),
                     description=description, received_at=ref.first_at,
                     acknowledged_at=ref.acknowledged_at, simulated=ref.simulated or ctx.simulated,
                     caller=(None, None), alarm_id=ref.alarm_id)
    link(session, incident=incident, kind=LinkKind.ALARM, ref=str(ref.alarm_id), actor=actor)
    return incident


def _open(session: Session, *, category_code: str, priority: int | None, source: Source, actor: str, ctx: Context,
          lon: float | None, lat: float | None, address: str | None, description: str | None,
          received_at: datetime, acknowledged_at: datetime | None, simulated: bool,
          caller: tuple[str | None, str | None], alarm_id: int | None = None) -> Incident:
    chosen = category(session, category_code)
    now = utcnow()
    incident = Incident(
        number=next_number(session, received_at), category=chosen.code,
        priority=priority if priority is not None else chosen.default_priority, state=IncidentState.NEW,
        source=source, alarm_id=alarm_id, caller_name=caller[0], caller_phone=caller[1], address=address,
        lon=lon, lat=lat, area=places.area_of(session, lon, lat) if lon is not None and lat is not None else None,
        description=description, simulated=simulated, created_by=actor, received_at=received_at,
        acknowledged_at=acknowledged_at, state_changed_at=now, updated_at=now)
    session.add(incident)
    session.flush()
    _record(session, incident, None, actor, now)
    publish(session, OPENED, subject_id=str(incident.id), payload=_payload(incident, None), ctx=ctx)
    return incident


def _move(session: Session, incident: Incident, to: IncidentState, *, actor: str, ctx: Context, at: datetime,
          reason: str | None = None, event: TimelineEvent | None = None) -> None:
    previous = incident.state
    incident.state = to
    incident.state_changed_at = incident.updated_at = at
    column = STAGE_COLUMN.get(to)
    if column is not None and getattr(incident, column) is None:
        setattr(incident, column, at)
    _record(session, incident, previous, actor, at, reason, event)
    publish(session, STATE_CHANGED, subject_id=str(incident.id), payload=_payload(incident, previous), ctx=ctx)


def close_as_merged(session: Session, incident: Incident, *, actor: str, ctx: Context, at: datetime,
                    reason: str) -> None:
    """Close a duplicate from whatever open state it is in (merging is not a person's ordinary move)."""
    _move(session, incident, IncidentState.CLOSED, actor=actor, ctx=ctx, at=at, reason=reason)


def transition(session: Session, *, incident_id: int, to: IncidentState, actor: str, ctx: Context,
               reason: str | None = None) -> Incident:
    """A person's move; an invalid one is refused with 409 naming the allowed states."""
    incident = get(session, incident_id, lock=True)
    if to not in TRANSITIONS[IncidentState(incident.state)]:
        names = allowed_now(incident)
        raise Conflict("incidents.invalid_transition",
                       params={"from": incident.state, "to": str(to), "allowed": ", ".join(names) or "-"},
                       extra={"allowed": [str(s) for s in names]})
    if not units_hold(incident, to):  # states cannot skip what makes them true: a unit there
        raise Conflict("incidents.no_unit_there", params={"number": incident.number, "to": str(to)},
                       extra={"allowed": [str(s) for s in allowed_now(incident)]})
    _move(session, incident, to, actor=actor, ctx=ctx, at=utcnow(), reason=reason)
    return incident


def unit_reached(session: Session, *, incident_id: int, stage: IncidentState, at: datetime, actor: str,
                 ctx: Context) -> Incident | None:
    """A unit reached a stage: the first unit stamps its time; the state only ever moves forward."""
    incident = session.get(Incident, incident_id, with_for_update=True)
    if incident is None:
        return None
    if stage == IncidentState.RESOLVED:
        if IncidentState.RESOLVED in TRANSITIONS[IncidentState(incident.state)]:
            _move(session, incident, IncidentState.RESOLVED, actor=actor, ctx=ctx, at=at)
        return incident
    column = STAGE_COLUMN[stage]
    if getattr(incident, column) is None:
        setattr(incident, column, at)
        incident.updated_at = utcnow()
    current = IncidentState(incident.state)
    ahead = current == IncidentState.NEW or (current in UNIT_STAGES
                                              and UNIT_STAGES.index(stage) > UNIT_STAGES.index(current))
    if ahead:
        _move(session, incident, stage, actor=actor, ctx=ctx, at=at)
    return incident


def acknowledged(session: Session, *, alarm_id: int, at: datetime) -> None:
    """The alarm behind an incident was acknowledged: that is the incident's acknowledged time."""
    incident = session.scalars(select(Incident).where(Incident.alarm_id == alarm_id)).one_or_none()
    if incident is not None and incident.acknowledged_at is None:
        incident.acknowledged_at = at


def add_note(session: Session, *, incident_id: int, author: str, text: str, ctx: Context) -> IncidentNote:
    incident = get(session, incident_id)
    note = IncidentNote(incident_id=incident.id, at=utcnow(), author=author, text=text)
    session.add(note)
    session.flush()
    publish(session, NOTED, subject_id=str(incident.id),
            payload=IncidentNoted(incident_id=incident.id, number=incident.number, note_id=note.id), ctx=ctx)
    return note


def link(session: Session, *, incident: Incident, kind: LinkKind, ref: str, actor: str) -> None:
    """Tie an alarm, camera or unit to the incident once (linking again changes nothing)."""
    have = session.scalar(select(IncidentLink.id).where(IncidentLink.incident_id == incident.id,
                                                         IncidentLink.kind == str(kind), IncidentLink.ref == ref))
    if have is None:
        session.add(IncidentLink(incident_id=incident.id, kind=str(kind), ref=ref, at=utcnow(), actor=actor))
        session.flush()


def unit_linked(session: Session, *, incident_id: int, unit_code: str, actor: str) -> None:
    """A unit was sent to the incident: it is linked to it (once)."""
    link(session, incident=get(session, incident_id), kind=LinkKind.UNIT, ref=unit_code, actor=actor)


def timeline(session: Session, incident_id: int) -> tuple[list[IncidentTransition], list[IncidentNote],
                                                            list[IncidentLink]]:
    transitions = session.scalars(select(IncidentTransition).where(IncidentTransition.incident_id == incident_id)
                                  .order_by(IncidentTransition.id)).all()
    notes = session.scalars(select(IncidentNote).where(IncidentNote.incident_id == incident_id)
                            .order_by(IncidentNote.id)).all()
    links = session.scalars(select(IncidentLink).where(IncidentLink.incident_id == incident_id)
                            .order_by(IncidentLink.id)).all()
    return list(transitions), list(notes), list(links)


def page(session: Session, *, states: Sequence[IncidentState], categories: Sequence[str], area: str | None,
         after: int | None, limit: int, text: str | None = None) -> list[Incident]:
    """Incidents newest first (by id), filtered by state, category and area; ``text`` in number, address, notes."""
    query = select(Incident).order_by(Incident.id.desc()).limit(limit)
    if text and text.strip():
        escaped = text.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(or_(*(func.lower(column).like(f"%{escaped}%", escape="\\")
                                  for column in (Incident.number, Incident.address, Incident.description))))
    if states:
        query = query.where(Incident.state.in_([str(s) for s in states]))
    if categories:
        query = query.where(Incident.category.in_(list(categories)))
    if area:
        query = query.where(Incident.area == area)
    if after is not None:
        query = query.where(Incident.id < after)
    return list(session.scalars(query))
