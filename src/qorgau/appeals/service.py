"""Residents' appeals: registration and routing, actions, deadlines, figures for reports. Functions never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from qorgau.appeals import calendar
from qorgau.appeals.enums import OPEN_STATES, AppealAction, AppealState, EntryKind
from qorgau.appeals.events import REGISTERED, AppealChanged
from qorgau.appeals.models import Appeal, AppealCounter, AppealEntry
from qorgau.appeals.schemas import AppealCreate
from qorgau.appeals.subjects import CODES
from qorgau.audit import service as audit
from qorgau.core.bus import Context, EventType, publish
from qorgau.core.errors import NotFound, ValidationFailed
from qorgau.core.time import as_utc, to_local, utcnow
from qorgau.districts import service as district_service

OPEN_VALUES = tuple(str(s) for s in OPEN_STATES)


@dataclass(frozen=True)
class AppealFigures:
    """One (district, inspector) pair's appeals over a period, for the district reports."""

    district_id: int | None
    inspector_id: int | None
    received: int  # registered in the period
    answered: int  # answered in the period
    answered_on_time: int  # of those answered in the period, on or before their deadline
    overdue: int  # open at the period's end past their deadline, or answered late in the period
    open: int  # open at the period's end


def _closed_at(appeal: Appeal) -> datetime | None:
    return appeal.answered_at or appeal.transferred_at


def figures(session: Session, *, start: datetime, end: datetime, include_simulated: bool = False
            ) -> list[AppealFigures]:
    """One row per (district, inspector) that has any appeal touching [start, end), ordered by both ids."""
    start, end = as_utc(start), as_utc(end)
    query = select(Appeal).where(Appeal.registered_at < end,
                                 or_(Appeal.answered_at.is_(None), Appeal.answered_at >= start),
                                 or_(Appeal.transferred_at.is_(None), Appeal.transferred_at >= start))
    if not include_simulated:
        query = query.where(Appeal.simulated.is_(False))
    counts: dict[tuple[int | None, int | None], list[int]] = {}
    for appeal in session.scalars(query):
        row = counts.setdefault((appeal.district_id, appeal.inspector_id), [0, 0, 0, 0, 0])
        registered, closed, answered = as_utc(appeal.registered_at), _closed_at(appeal), appeal.answered_at
        due = as_utc(appeal.due_at)
        row[0] += start <= registered
        if answered is not None and start <= as_utc(answered) < end:
            on_time = as_utc(answered) < due
            row[1] += 1
            row[2] += on_time
            row[3] += not on_time
        if closed is None or as_utc(closed) >= end:
            row[4] += 1
            row[3] += due <= end
    return [AppealFigures(district_id=d, inspector_id=i, received=r[0], answered=r[1], answered_on_time=r[2],
                          overdue=r[3], open=r[4])
            for (d, i), r in sorted(counts.items(), key=lambda kv: (kv[0][0] or 0, kv[0][1] or 0))]


def due_at(deadline: date, zone: ZoneInfo) -> datetime:
    """The instant the deadline passes: the start of the next day in the installation's time zone."""
    return as_utc(datetime.combine(deadline + timedelta(days=1), time(), tzinfo=zone))


def local_day(at: datetime, zone: ZoneInfo) -> date:
    return to_local(at, zone).date()


def next_number(session: Session, at: datetime) -> str:
    """The year's next number, e.g. 2026-000123; the counter row serialises concurrent registrations."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(AppealCounter).values(year=at.year, last=0).on_conflict_do_nothing())
    last = session.execute(update(AppealCounter).where(AppealCounter.year == at.year)
                           .values(last=AppealCounter.last + 1).returning(AppealCounter.last)).scalar_one()
    return f"{at.year}-{last:06d}"


def _problem(field: str, code: str, message: str) -> dict[str, str]:
    """One validation problem: the field, its translation key and an English message."""
    return {"field": field, "code": f"appeals.problem.{code}", "message": message}


def get(session: Session, appeal_id: int) -> Appeal:
    found = session.get(Appeal, appeal_id)
    if found is None:
        raise NotFound("appeals.not_found", params={"id": appeal_id})
    return found


def _least_busy(session: Session, inspectors: list[int]) -> int | None:
    """Of a district's inspectors, the one with the fewest open appeals (the lowest id on a tie)."""
    if not inspectors:
        return None
    load = dict(session.execute(select(Appeal.inspector_id, func.count()).where(
        Appeal.inspector_id.in_(inspectors), Appeal.state.in_(OPEN_VALUES)).group_by(Appeal.inspector_id)).all())
    return min(sorted(inspectors), key=lambda uid: load.get(uid, 0))


def _route(session: Session, appeal_in: AppealCreate, when: datetime, problems: list[dict[str, str]]
           ) -> tuple[int | None, bool, list[int]]:
    """The district (and whether it was routed by hand) and its inspectors; a problem when there is none."""
    found = district_service.district_at(session, appeal_in.lon, appeal_in.lat, when)
    if appeal_in.district_id is not None:
        try:
            chosen = district_service.get_district(session, appeal_in.district_id)
        except NotFound:
            chosen = None
        in_force = district_service.current(session, when)
        if chosen is None or in_force is None or chosen.set_id != in_force.id:
            problems.append(_problem("district_id", "district_not_in_force",
                                     "The district is not in the set in force."))
            return None, False, []
        return chosen.id, found is None or found.id != chosen.id, [i.user_id for i in chosen.inspectors]
    if found is None:
        problems.append(_problem("lon", "outside_districts",
                                 "The point lies outside every district; route it to one by hand."))
        return None, False, []
    return found.id, False, [i.user_id for i in found.inspectors]


def add_entry(session: Session, appeal: Appeal, *, kind: EntryKind, actor: str, at: datetime,
              from_state: str | None = None, note: str | None = None) -> None:
    session.add(AppealEntry(appeal_id=appeal.id, at=at, kind=str(kind), from_state=from_state,
                            to_state=appeal.state, actor=actor, note=note))


def changed(appeal: Appeal) -> AppealChanged:
    return AppealChanged(appeal_id=appeal.id, number=appeal.number, state=appeal.state,
                         district_id=appeal.district_id, inspector_id=appeal.inspector_id,
                         deadline=appeal.deadline, simulated=appeal.simulated)


def announce(session: Session, kind: EventType[AppealChanged], appeal: Appeal, ctx: Context) -> None:
    publish(session, kind, subject_id=str(appeal.id), payload=changed(appeal), ctx=ctx)


def create(session: Session, *, appeal_in: AppealCreate, actor: audit.Actor, ctx: Context, term_days: int,
           zone: ZoneInfo) -> Appeal:
    """Register an appeal: validate everything at once, route it, number it, set its deadline; audited."""
    now = utcnow()
    when = as_utc(appeal_in.registered_at) if appeal_in.registered_at else now
    problems: list[dict[str, str]] = []
    if appeal_in.subject not in CODES:
        problems.append(_problem("subject", "unknown_subject", "Not a subject from the list."))
    if when > now + timedelta(minutes=5):
        problems.append(_problem("registered_at", "in_future", "The registration time is in the future."))
    district_id, manual, inspectors = _route(session, appeal_in, when, problems)
    if problems:
        raise ValidationFailed("appeals.invalid", errors=problems, params={"count": len(problems)})
    deadline = calendar.load(session).add_working_days(local_day(when, zone), term_days)
    appeal = Appeal(
        number=next_number(session, to_local(when, zone)), channel=str(appeal_in.channel),
        applicant_name=appeal_in.applicant_name.strip(), applicant_contact=appeal_in.applicant_contact,
        address=appeal_in.address.strip(), lon=appeal_in.lon, lat=appeal_in.lat, district_id=district_id,
        routed_manually=manual, inspector_id=_least_busy(session, inspectors), subject=appeal_in.subject,
        text=appeal_in.text, state=str(AppealState.REGISTERED), registered_at=when, deadline=deadline,
        due_at=due_at(deadline, zone), extended=False, simulated=appeal_in.simulated, created_by=actor.ref,
        updated_at=now)
    session.add(appeal)
    session.flush()
    add_entry(session, appeal, kind=EntryKind.REGISTERED, actor=actor.ref, at=when)
    audit.record(session, action=AppealAction.CREATE, actor=actor, target_type="appeal", target_id=str(appeal.id),
                 details={"number": appeal.number, "district_id": district_id, "routed_manually": manual,
                          "simulated": appeal.simulated})
    announce(session, REGISTERED, appeal, ctx)
    return appeal


def is_overdue(appeal: Appeal, now: datetime) -> bool:
    """Open past its deadline, or answered after it."""
    if appeal.answered_at is not None:
        return as_utc(appeal.answered_at) >= as_utc(appeal.due_at)
    return appeal.state in OPEN_VALUES and now >= as_utc(appeal.due_at)
