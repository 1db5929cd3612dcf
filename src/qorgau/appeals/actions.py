"""What happens to a registered appeal: taken up, answered, extended once, transferred, reassigned, attached to;
the deadline reminders and overdue escalation; calendar overrides. Functions never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from qorgau.appeals import calendar
from qorgau.appeals.enums import AppealAction, AppealState, EntryKind
from qorgau.appeals.events import ANSWERED, CHANGED, DUE_SOON, OVERDUE
from qorgau.appeals.models import Appeal, AppealAttachment, CalendarOverride
from qorgau.appeals.schemas import AppealCalendarDay, AppealUpdate
from qorgau.appeals.service import OPEN_VALUES, add_entry, announce, due_at, local_day
from qorgau.audit import service as audit
from qorgau.auth import service as auth_service
from qorgau.core.bus import Context
from qorgau.core.errors import Conflict, NotFound, QorgauError, ValidationFailed
from qorgau.core.time import as_utc, utcnow

INSPECTOR_ROLES = frozenset({"inspector", "supervisor"})


@dataclass(frozen=True)
class Terms:
    """The settings an action needs: the extension in working days and the installation's time zone."""

    extension_days: int
    zone: ZoneInfo


def _missing(field: str) -> ValidationFailed:
    return ValidationFailed("appeals.invalid", params={"count": 1}, errors=[
        {"field": field, "code": "appeals.problem.required", "message": f"{field} is required for this action."}])


def _require_open(appeal: Appeal, action: str) -> None:
    if appeal.state not in OPEN_VALUES:
        raise Conflict("appeals.closed", params={"number": appeal.number, "state": appeal.state, "action": action})


def update(session: Session, *, appeal: Appeal, change: AppealUpdate, actor: audit.Actor, ctx: Context,
           terms: Terms) -> Appeal:
    """Apply one action, with a timeline line, an audit record and an event; 409 when the state forbids it."""
    now, before, note = utcnow(), appeal.state, None
    _require_open(appeal, change.action)
    if change.action == "take":
        if appeal.state != AppealState.REGISTERED:
            raise Conflict("appeals.already_taken", params={"number": appeal.number})
        appeal.state, kind = str(AppealState.IN_PROGRESS), EntryKind.STATE
    elif change.action == "answer":
        if not (change.answer or "").strip():
            raise _missing("answer")
        when = as_utc(change.answered_at) if change.answered_at else now
        if when < as_utc(appeal.registered_at) or when > now + timedelta(minutes=5):
            raise ValidationFailed("appeals.invalid", params={"count": 1}, errors=[
                {"field": "answered_at", "code": "appeals.problem.bad_answer_time",
                 "message": "The answer time is before registration or in the future."}])
        appeal.state, appeal.answer, appeal.answered_at = str(AppealState.ANSWERED), change.answer, when
        kind = EntryKind.ANSWERED
    elif change.action == "extend":
        if appeal.extended:
            raise Conflict("appeals.already_extended", params={"number": appeal.number})
        if not (change.reason or "").strip():
            raise _missing("reason")
        appeal.deadline = calendar.load(session).add_working_days(appeal.deadline, terms.extension_days)
        appeal.due_at = due_at(appeal.deadline, terms.zone)
        appeal.state, appeal.extended, appeal.extension_reason = str(AppealState.EXTENDED), True, change.reason
        appeal.reminded_at = appeal.overdue_at = None  # the new deadline earns its own reminder
        kind, note = EntryKind.EXTENDED, change.reason
    elif change.action == "transfer":
        if not (change.transferred_to or "").strip():
            raise _missing("transferred_to")
        appeal.state, appeal.transferred_to, appeal.transferred_at = str(AppealState.TRANSFERRED), \
            change.transferred_to, now
        kind, note = EntryKind.TRANSFERRED, change.transferred_to
    else:
        if change.inspector_id is None:
            raise _missing("inspector_id")
        try:
            user = auth_service.get(session, change.inspector_id)
        except NotFound:
            user = None
        if user is None or user.role not in INSPECTOR_ROLES or not user.is_active:
            raise ValidationFailed("appeals.invalid", params={"count": 1}, errors=[
                {"field": "inspector_id", "code": "appeals.problem.not_inspector",
                 "message": "Not an active inspector or supervisor."}])
        appeal.inspector_id, kind, note = user.id, EntryKind.REASSIGNED, user.username
    appeal.updated_at = now
    add_entry(session, appeal, kind=kind, actor=actor.ref, at=now, from_state=before, note=note)
    audit.record(session, action=AppealAction.UPDATE, actor=actor, target_type="appeal", target_id=str(appeal.id),
                 details={"number": appeal.number, "action": change.action, "from": before, "to": appeal.state})
    announce(session, ANSWERED if change.action == "answer" else CHANGED, appeal, ctx)
    return appeal


def attach(session: Session, *, appeal: Appeal, filename: str, media_type: str, content: bytes,
           allowed: list[str], max_bytes: int, actor: audit.Actor) -> AppealAttachment:
    """Store a small file with the appeal; 413 over the size limit, 415 for a type not allowed."""
    if len(content) > max_bytes:
        raise QorgauError("appeals.attachment_too_large", status=413, params={"max": max_bytes})
    if media_type not in allowed:
        raise QorgauError("appeals.attachment_type", status=415, params={"type": media_type[:100]})
    if not content:
        raise _missing("file")
    now = utcnow()
    safe_name = filename.replace("/", "_").replace("\\", "_").strip()[:200] or "attachment"
    found = AppealAttachment(appeal_id=appeal.id, filename=safe_name, media_type=media_type, size=len(content),
                             content=content, uploaded_by=actor.ref, uploaded_at=now)
    session.add(found)
    session.flush()
    add_entry(session, appeal, kind=EntryKind.ATTACHED, actor=actor.ref, at=now, from_state=appeal.state,
              note=safe_name)
    audit.record(session, action=AppealAction.ATTACH, actor=actor, target_type="appeal", target_id=str(appeal.id),
                 details={"attachment_id": found.id, "size": len(content), "media_type": media_type})
    return found


def attachment(session: Session, appeal_id: int, attachment_id: int) -> AppealAttachment:
    found = session.get(AppealAttachment, attachment_id)
    if found is None or found.appeal_id != appeal_id:
        raise NotFound("appeals.attachment_not_found", params={"id": attachment_id})
    return found


@dataclass(frozen=True)
class CheckResult:
    reminded: int
    overdue: int


def check_deadlines(session: Session, *, now: datetime, reminder_days: int, zone: ZoneInfo) -> CheckResult:
    """Flag open appeals once: a reminder ``reminder_days`` working days before the deadline, then overdue."""
    system = audit.Actor(ref="system:appeals")
    ctx = Context.system("appeals")
    today = local_day(now, zone)
    remind_by = calendar.load(session).add_working_days(today, reminder_days)
    overdue = list(session.scalars(select(Appeal).where(
        Appeal.state.in_(OPEN_VALUES), Appeal.overdue_at.is_(None), Appeal.due_at <= now).with_for_update()))
    for appeal in overdue:
        # An appeal found overdue needs no reminder any more: both flags set, so neither fires again.
        appeal.overdue_at, appeal.reminded_at = now, appeal.reminded_at or now
        add_entry(session, appeal, kind=EntryKind.OVERDUE, actor=system.ref, at=now, from_state=appeal.state)
        announce(session, OVERDUE, appeal, ctx)
    due_soon = list(session.scalars(select(Appeal).where(
        Appeal.state.in_(OPEN_VALUES), Appeal.reminded_at.is_(None), Appeal.deadline <= remind_by,
        Appeal.due_at > now).with_for_update()))
    for appeal in due_soon:
        appeal.reminded_at = now
        add_entry(session, appeal, kind=EntryKind.REMINDED, actor=system.ref, at=now, from_state=appeal.state)
        announce(session, DUE_SOON, appeal, ctx)
    return CheckResult(reminded=len(due_soon), overdue=len(overdue))


def calendar_days(session: Session, *, year: int | None = None) -> list[CalendarOverride]:
    query = select(CalendarOverride).order_by(CalendarOverride.day)
    if year is not None:
        query = query.where(CalendarOverride.day >= date(year, 1, 1), CalendarOverride.day <= date(year, 12, 31))
    return list(session.scalars(query))


def calendar_add(session: Session, *, day_in: AppealCalendarDay, actor: audit.Actor) -> CalendarOverride:
    """Add or replace a decreed override; deadlines already set keep their dates (a decree precedes them)."""
    found = session.get(CalendarOverride, day_in.day)
    if found is None:
        found = CalendarOverride(day=day_in.day, working=day_in.working, reason=day_in.reason,
                                 created_by=actor.ref, created_at=utcnow())
        session.add(found)
    else:
        found.working, found.reason, found.created_by, found.created_at = day_in.working, day_in.reason, \
            actor.ref, utcnow()
    session.flush()
    audit.record(session, action=AppealAction.CALENDAR_ADD, actor=actor, target_type="appeal_calendar",
                 target_id=day_in.day.isoformat(), details={"working": day_in.working, "reason": day_in.reason})
    return found


def calendar_remove(session: Session, *, day: date, actor: audit.Actor) -> None:
    found = session.get(CalendarOverride, day)
    if found is None:
        raise NotFound("appeals.calendar_not_found", params={"day": day.isoformat()})
    session.delete(found)
    audit.record(session, action=AppealAction.CALENDAR_REMOVE, actor=actor, target_type="appeal_calendar",
                 target_id=day.isoformat(), details={})
