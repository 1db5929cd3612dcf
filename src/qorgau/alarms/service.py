"""The life of an alarm: raised or folded from a signal, restored, acknowledged, resolved, its steps ticked.

Functions never commit. Acknowledging and resolving are conditional UPDATEs (``WHERE state = …``): on
PostgreSQL the second of two concurrent writers waits for the first's row lock and then finds the state
changed; on SQLite writers are serialised by the write lock. Either way exactly one wins, and the other
gets a 409 that names who was first.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from qorgau.alarms import events as alarm_events
from qorgau.alarms.config import SUPERVISOR_ROLE, AlarmsConfig
from qorgau.alarms.enums import AlarmState, Resolution, StepState, Transition, allowed_transitions
from qorgau.alarms.events import AlarmChanged
from qorgau.alarms.models import Alarm, AlarmRule, AlarmStep, Procedure
from qorgau.alarms.rules import Place, Signal
from qorgau.core.bus import Context, Event, EventType, publish_later
from qorgau.core.bus.outbox import publish_batch
from qorgau.core.bus.types import new_event
from qorgau.core.errors import Conflict, NotFound, QorgauError
from qorgau.core.time import to_local, utcnow


def _state_of(alarm: Alarm) -> dict[str, Any]:
    """What an alarm's events carry besides its id (taken when the event is announced, not when it is written)."""
    return dict(
        state=AlarmState(alarm.state), priority=alarm.priority,
        escalation_level=alarm.escalation_level, rule=alarm.rule_code, kind=alarm.kind,
        procedure=alarm.procedure_code, incident_category=alarm.incident_category,
        auto_incident=alarm.auto_incident, device_code=alarm.device_code, site_code=alarm.site_code,
        lon=alarm.lon, lat=alarm.lat, count=alarm.count, first_at=alarm.first_at, last_at=alarm.last_at,
        acknowledged_at=alarm.acknowledged_at, acknowledged_by=alarm.acknowledged_by,
        resolved_at=alarm.resolved_at, resolution=Resolution(alarm.resolution) if alarm.resolution else None,
        simulated=alarm.simulated, escalated_to=SUPERVISOR_ROLE if alarm.escalation_level else None,
        restored_at=alarm.restored_at,
    )


def changed(alarm: Alarm) -> AlarmChanged:
    """The alarm as its events carry it."""
    return AlarmChanged(alarm_id=alarm.id, **_state_of(alarm))


def announce(session: Session, kind: EventType[AlarmChanged], alarm: Alarm, ctx: Context,
             occurred_at: datetime | None = None) -> None:
    session.flush()  # the alarm's id, for a new one
    publish_later(session, kind, subject_id=str(alarm.id), payload=changed(alarm), ctx=ctx, occurred_at=occurred_at)


class Announcements:
    """The alarm events of a burst of signals, published together in their order: the new alarms get their ids
    in one flush (one multi-row INSERT) and the events go into the outbox in one multi-row insert, instead of a
    flush and two statements per alarm. Each event carries the alarm as it was when announced (an alarm raised
    and folded in one burst: `raised` with count 1, then `repeated` with count 2)."""

    def __init__(self) -> None:
        self._pending: list[tuple[EventType[AlarmChanged], Alarm, dict[str, Any], Context, datetime | None]] = []

    def add(self, kind: EventType[AlarmChanged], alarm: Alarm, ctx: Context, occurred_at: datetime | None = None
            ) -> None:
        self._pending.append((kind, alarm, _state_of(alarm), ctx, occurred_at))

    def publish(self, session: Session) -> None:
        if not self._pending:
            return
        session.flush()  # every new alarm's id, and anything published the ORM way before, in order
        publish_batch(session, [new_event(kind, subject_id=str(alarm.id),
                                          payload=AlarmChanged(alarm_id=alarm.id, **state), ctx=ctx,
                                          occurred_at=occurred_at)
                                for kind, alarm, state, ctx, occurred_at in self._pending])
        self._pending.clear()


def _announce(session: Session, out: Announcements | None, kind: EventType[AlarmChanged], alarm: Alarm,
              ctx: Context) -> None:
    if out is None:
        announce(session, kind, alarm, ctx)
    else:
        out.add(kind, alarm, ctx)


def get(session: Session, alarm_id: int, *, fresh: bool = False) -> Alarm:
    alarm = session.get(Alarm, alarm_id, populate_existing=fresh)
    if alarm is None:
        raise NotFound("alarms.not_found", params={"id": alarm_id})
    return alarm


def foldable(session: Session, fold_key: str, at: datetime, config: AlarmsConfig) -> Alarm | None:
    """The open alarm a repeat at ``at`` folds into: same device and event, last signal within the window."""
    if config.fold_window_s <= 0:
        return None
    query = (select(Alarm).where(Alarm.fold_key == fold_key, Alarm.last_at >= at - config.fold_window,
                                 Alarm.state != AlarmState.RESOLVED)
             .order_by(Alarm.last_at.desc(), Alarm.id.desc()).limit(1).with_for_update())
    return session.scalars(query).first()


def foldable_many(session: Session, fold_keys: set[str], since: datetime, config: AlarmsConfig) -> dict[str, Alarm]:
    """`foldable` for a burst: per fold key, the latest open alarm whose last signal came after ``since`` minus
    the window (the caller checks each signal's own time), in one query."""
    if config.fold_window_s <= 0 or not fold_keys:
        return {}
    query = (select(Alarm).where(Alarm.fold_key.in_(sorted(fold_keys)), Alarm.last_at >= since - config.fold_window,
                                 Alarm.state != AlarmState.RESOLVED)
             .order_by(Alarm.last_at, Alarm.id).with_for_update())
    return {alarm.fold_key: alarm for alarm in session.scalars(query)}  # the latest of each key wins


def raise_alarm(session: Session, *, signal: Signal, rule: AlarmRule, place: Place, event: Event[Any],
                ctx: Context, config: AlarmsConfig, out: Announcements | None = None) -> Alarm:
    """A new alarm from ``signal`` as ``rule`` says; publishes `alarms.raised`."""
    at = event.recorded_at
    lon, lat = signal.position if signal.position is not None else (place.lon, place.lat)
    alarm = Alarm(
        fold_key=signal.fold_key, rule_code=rule.code, kind=rule.alarm_kind, signal=signal.signal,
        event_name=signal.event_name, priority=rule.priority, procedure_code=rule.procedure_code,
        auto_incident=rule.auto_incident, incident_category=rule.incident_category, state=AlarmState.NEW,
        escalation_level=0, escalate_at=at + config.escalation_after(rule.priority), device_code=signal.device_code,
        site_code=signal.site_code or place.site_code, lon=lon, lat=lat, details=signal.details, count=1,
        first_at=at, last_at=at, first_event_id=event.id, last_event_id=event.id, simulated=ctx.simulated,
    )
    session.add(alarm)
    _announce(session, out, alarm_events.RAISED, alarm, ctx)
    return alarm


def fold(session: Session, *, alarm: Alarm, signal: Signal, event: Event[Any], ctx: Context,
         config: AlarmsConfig, out: Announcements | None = None) -> Alarm:
    """Count a repeat into ``alarm`` (latest time and details); publishes `alarms.repeated`."""
    alarm.count += 1
    alarm.last_at = max(alarm.last_at, event.recorded_at)
    alarm.last_event_id = event.id
    alarm.details = signal.details
    if alarm.restored_at is not None:
        # The condition is back: escalation resumes if nobody has taken the alarm yet.
        alarm.restored_at = None
        if alarm.state == AlarmState.NEW:
            alarm.escalate_at = event.recorded_at + config.escalation_after(alarm.priority)
    _announce(session, out, alarm_events.REPEATED, alarm, ctx)
    return alarm


def restore(session: Session, *, fold_key: str, at: datetime, ctx: Context, out: Announcements | None = None
            ) -> list[Alarm]:
    """The condition ended: open alarms of that device and event are marked restored and stop escalating."""
    query = (select(Alarm).where(Alarm.fold_key == fold_key, Alarm.state != AlarmState.RESOLVED,
                                 Alarm.restored_at.is_(None)).order_by(Alarm.id).with_for_update())
    restored = list(session.scalars(query))
    for alarm in restored:
        alarm.restored_at = at
        alarm.escalate_at = None
        _announce(session, out, alarm_events.RESTORED, alarm, ctx)
    return restored


def _local(moment: datetime | None, config: AlarmsConfig) -> str:
    return to_local(moment, config.zone).strftime("%H:%M:%S") if moment else "-"


def refuse(alarm: Alarm, attempted: Transition) -> QorgauError:
    """409 for a transition the alarm's state does not allow, naming the ones it does."""
    allowed = [str(t) for t in allowed_transitions(alarm.state)]
    return Conflict("alarms.invalid_transition",
                    params={"id": alarm.id, "action": str(attempted), "state": alarm.state,
                            "allowed": ", ".join(allowed) or "-"},
                    extra={"state": alarm.state, "allowed": allowed})


def _changed_rows(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def acknowledge(session: Session, *, alarm_id: int, user_id: int, user_name: str, ctx: Context,
                config: AlarmsConfig, now: datetime | None = None) -> Alarm:
    """new → acknowledged by this user; escalation stops. Publishes `alarms.acknowledged`."""
    now = now or utcnow()
    won = _changed_rows(session.execute(
        update(Alarm).where(Alarm.id == alarm_id, Alarm.state == AlarmState.NEW)
        .values(state=AlarmState.ACKNOWLEDGED, acknowledged_at=now, acknowledged_by=user_id,
                acknowledged_by_name=user_name, escalate_at=None)
        .execution_options(synchronize_session=False)))
    alarm = get(session, alarm_id, fresh=True)
    if not won:
        if alarm.state == AlarmState.ACKNOWLEDGED:
            raise Conflict("alarms.already_acknowledged",
                           params={"id": alarm.id, "by": alarm.acknowledged_by_name or "-",
                                   "at": _local(alarm.acknowledged_at, config)},
                           extra={"acknowledged_by": alarm.acknowledged_by,
                                  "acknowledged_by_name": alarm.acknowledged_by_name,
                                  "acknowledged_at": alarm.acknowledged_at.isoformat()
                                  if alarm.acknowledged_at else None})
        raise refuse(alarm, Transition.ACKNOWLEDGE)
    announce(session, alarm_events.ACKNOWLEDGED, alarm, ctx)
    return alarm


def resolve(session: Session, *, alarm_id: int, resolution: Resolution, note: str | None, user_id: int,
            user_name: str, ctx: Context, config: AlarmsConfig, now: datetime | None = None) -> Alarm:
    """acknowledged → resolved as confirmed, false or test. Publishes `alarms.resolved`."""
    now = now or utcnow()
    won = _changed_rows(session.execute(
        update(Alarm).where(Alarm.id == alarm_id, Alarm.state == AlarmState.ACKNOWLEDGED)
        .values(state=AlarmState.RESOLVED, resolved_at=now, resolved_by=user_id, resolved_by_name=user_name,
                resolution=str(resolution), resolution_note=note or None, escalate_at=None)
        .execution_options(synchronize_session=False)))
    alarm = get(session, alarm_id, fresh=True)
    if not won:
        if alarm.state == AlarmState.RESOLVED:
            raise Conflict("alarms.already_resolved",
                           params={"id": alarm.id, "by": alarm.resolved_by_name or "-",
                                   "at": _local(alarm.resolved_at, config), "resolution": alarm.resolution},
                           extra={"state": alarm.state, "allowed": []})
        raise refuse(alarm, Transition.RESOLVE)
    announce(session, alarm_events.RESOLVED, alarm, ctx)
    return alarm


def procedure_of(session: Session, alarm: Alarm) -> Procedure | None:
    return session.get(Procedure, alarm.procedure_code) if alarm.procedure_code else None


def mark_step(session: Session, *, alarm_id: int, step_key: str, state: StepState, note: str | None,
              user_id: int, user_name: str, now: datetime | None = None) -> AlarmStep:
    """Record a procedure step done or skipped, and by whom; each step is recorded once."""
    alarm = get(session, alarm_id)
    if alarm.state != AlarmState.ACKNOWLEDGED:
        raise Conflict("alarms.steps_need_acknowledged",
                       params={"id": alarm.id, "state": alarm.state},
                       extra={"state": alarm.state, "allowed": [str(t) for t in allowed_transitions(alarm.state)]})
    procedure = procedure_of(session, alarm)
    if procedure is None or step_key not in {step.key for step in procedure.steps}:
        raise NotFound("alarms.step_not_found", params={"id": alarm.id, "step": step_key})
    taken = next((s for s in alarm.steps if s.step_key == step_key), None)
    if taken is None:
        record = AlarmStep(alarm_id=alarm.id, step_key=step_key, state=str(state), note=note or None,
                           by_user=user_id, by_name=user_name, at=now or utcnow())
        try:
            with session.begin_nested():
                session.add(record)
        except IntegrityError:
            # Another operator recorded it at the same moment: report theirs.
            session.expire(alarm, ["steps"])
            taken = next((s for s in alarm.steps if s.step_key == step_key), None)
        else:
            session.refresh(alarm, ["steps"])
            return record
    raise Conflict("alarms.step_already_recorded",
                   params={"step": step_key, "state": taken.state if taken else "-",
                           "by": taken.by_name if taken else "-"})
