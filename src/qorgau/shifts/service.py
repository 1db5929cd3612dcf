"""Shift handovers: the summary of a shift, the outgoing and the incoming signature. Functions never commit."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from qorgau.alarms import queries as alarm_queries
from qorgau.audit import service as audit
from qorgau.core.bus import Context, publish
from qorgau.core.errors import Conflict, NotFound
from qorgau.core.time import utcnow
from qorgau.incidents import queries as incident_queries
from qorgau.shifts.enums import HandoverAction, HandoverState
from qorgau.shifts.events import HANDOVER_SIGNED, HANDOVER_STARTED, HandoverChanged
from qorgau.shifts.models import Handover
from qorgau.shifts.schemas import AlarmBrief, IncidentBrief, ShiftSummary

# A shift with no handover before it is taken to have begun this long ago (a first installation).
DEFAULT_SHIFT = timedelta(hours=12)
# The page lists at most this many of each kind; a handover is read by a person, not exported.
LIST_LIMIT = 200
_CLOSED_INCIDENT = ("resolved", "closed")


def shift_start(session: Session, now: datetime) -> datetime:
    """When the current shift began: the last completed handover, else DEFAULT_SHIFT ago."""
    last = session.scalar(select(Handover.incoming_signed_at).where(Handover.state == HandoverState.SIGNED)
                          .order_by(Handover.id.desc()).limit(1))
    return last if last is not None else now - DEFAULT_SHIFT


def summarize(session: Session, *, start: datetime, end: datetime) -> ShiftSummary:
    """What is open now and what the shift did between ``start`` and ``end``."""
    def incident(i: object) -> IncidentBrief:
        return IncidentBrief.model_validate(i, from_attributes=True)

    def alarm(a: object) -> AlarmBrief:
        return AlarmBrief.model_validate(a, from_attributes=True)

    changed_incidents = incident_queries.changed_since(session, start, limit=LIST_LIMIT)
    changed_alarms = alarm_queries.changed_since(session, start, limit=LIST_LIMIT)
    return ShiftSummary(
        shift_start=start, shift_end=end,
        open_incidents=[incident(i) for i in incident_queries.open_incidents(session, limit=LIST_LIMIT)],
        open_alarms=[alarm(a) for a in alarm_queries.page(session, where=alarm_queries.QueueFilter(), after=None,
                                                           limit=LIST_LIMIT)],
        changed_incidents=[incident(i) for i in changed_incidents],
        changed_alarms=[alarm(a) for a in changed_alarms],
        incidents_opened=sum(1 for i in changed_incidents if i.received_at >= start),
        incidents_closed=sum(1 for i in changed_incidents if i.state in _CLOSED_INCIDENT),
        alarms_raised=sum(1 for a in changed_alarms if a.first_at >= start),
        alarms_resolved=sum(1 for a in changed_alarms if a.resolved_at is not None and a.resolved_at >= start),
    )


def current(session: Session) -> ShiftSummary:
    now = utcnow()
    return summarize(session, start=shift_start(session, now), end=now)


def get(session: Session, handover_id: int, *, lock: bool = False) -> Handover:
    query = select(Handover).where(Handover.id == handover_id)
    found = session.scalars(query.with_for_update() if lock else query).one_or_none()
    if found is None:
        raise NotFound("shifts.handover_not_found", params={"id": handover_id})
    return found


def pending(session: Session) -> Handover | None:
    """The handover the outgoing supervisor signed and nobody has taken over yet."""
    return session.scalars(select(Handover).where(Handover.state == HandoverState.AWAITING_INCOMING)
                           .order_by(Handover.id.desc()).limit(1)).one_or_none()


def _changed(handover: Handover) -> HandoverChanged:
    return HandoverChanged(handover_id=handover.id, state=HandoverState(handover.state),
                           outgoing=handover.outgoing_name, incoming=handover.incoming_name)


def hand_over(session: Session, *, notes: str, user_id: int, username: str, actor: audit.Actor,
              ctx: Context) -> Handover:
    """The outgoing supervisor signs: the shift's summary is frozen with the notes for the next shift."""
    waiting = pending(session)
    if waiting is not None:
        raise Conflict("shifts.handover_pending", params={"id": waiting.id, "by": waiting.outgoing_name},
                       extra={"handover_id": waiting.id})
    summary = current(session)
    handover = Handover(state=HandoverState.AWAITING_INCOMING, shift_start=summary.shift_start,
                        shift_end=summary.shift_end, summary=summary.model_dump(mode="json"), notes=notes,
                        outgoing_user_id=user_id, outgoing_name=username, outgoing_signed_at=summary.shift_end)
    session.add(handover)
    session.flush()
    audit.record(session, action=HandoverAction.SIGN_OUTGOING, actor=actor, target_type="handover",
                 target_id=str(handover.id), details={"open_incidents": len(summary.open_incidents),
                                                      "open_alarms": len(summary.open_alarms)})
    publish(session, HANDOVER_STARTED, subject_id=str(handover.id), payload=_changed(handover), ctx=ctx)
    return handover


def take_over(session: Session, *, handover_id: int, note: str | None, user_id: int, username: str,
              actor: audit.Actor, ctx: Context) -> Handover:
    """The incoming supervisor signs; it must be another person than the outgoing one."""
    handover = get(session, handover_id, lock=True)
    if handover.state != HandoverState.AWAITING_INCOMING:
        raise Conflict("shifts.handover_signed_already", params={"id": handover.id,
                                                                 "by": handover.incoming_name or "-"})
    if handover.outgoing_user_id == user_id:
        raise Conflict("shifts.same_supervisor", params={"id": handover.id})
    handover.state = HandoverState.SIGNED
    handover.incoming_user_id, handover.incoming_name = user_id, username
    handover.incoming_signed_at, handover.incoming_note = utcnow(), note or None
    audit.record(session, action=HandoverAction.SIGN_INCOMING, actor=actor, target_type="handover",
                 target_id=str(handover.id), details={"outgoing": handover.outgoing_name})
    publish(session, HANDOVER_SIGNED, subject_id=str(handover.id), payload=_changed(handover), ctx=ctx)
    return handover


def page(session: Session, *, after: int | None, limit: int) -> list[Handover]:
    """Handovers, the latest first."""
    query = select(Handover).order_by(Handover.id.desc()).limit(limit)
    if after is not None:
        query = query.where(Handover.id < after)
    return list(session.scalars(query))
