"""Escalation: a new alarm nobody acknowledged within its priority's time goes to the supervisor, and again.

Escalation is a level on the alarm, not a state: it stays `new` until someone acknowledges it. Each due alarm
is row-locked (PostgreSQL) so a concurrent acknowledgement either lands first (the alarm no longer matches) or
waits and wins afterwards.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from qorgau.alarms import config as alarms_config
from qorgau.alarms import events as alarm_events
from qorgau.alarms.config import AlarmsConfig
from qorgau.alarms.enums import AlarmState
from qorgau.alarms.models import Alarm
from qorgau.alarms.service import announce
from qorgau.core.bus import Context

BATCH = 200


def escalate_due(session: Session, now: datetime, *, config: AlarmsConfig | None = None,
                 ctx: Context | None = None, limit: int = BATCH) -> list[int]:
    """Raise the level of new alarms past their escalation time; publishes `alarms.escalated`. Returns ids."""
    config = config or alarms_config.current()
    ctx = ctx or Context.system("alarms.escalation")
    query = (select(Alarm).where(Alarm.escalate_at <= now, Alarm.state == AlarmState.NEW)
             .order_by(Alarm.escalate_at, Alarm.id).limit(limit).with_for_update())
    escalated = []
    for alarm in session.scalars(query):
        interval = config.escalation_after(alarm.priority)
        alarm.escalation_level += 1
        alarm.escalated_at = now
        due = alarm.escalate_at + interval if alarm.escalate_at else now + interval
        # After downtime, escalate once now and then every interval, not once per missed interval.
        alarm.escalate_at = due if due > now else now + interval
        announce(session, alarm_events.ESCALATED, alarm, ctx.model_copy(update={"simulated": alarm.simulated}),
                 occurred_at=now)
        escalated.append(alarm.id)
    return escalated



def escalate_now(session: Session, *, alarm_id: int, now: datetime, config: AlarmsConfig | None = None,
                 ctx: Context | None = None) -> bool:
    """Bring a new alarm's first escalation forward to ``now`` (its SOS call waits unanswered); False if it is
    no longer new or already escalated. The same step as `escalate_due`, so the supervisor sees it the same way."""
    config = config or alarms_config.current()
    ctx = ctx or Context.system("alarms.escalation")
    alarm = session.scalars(select(Alarm).where(Alarm.id == alarm_id, Alarm.state == AlarmState.NEW,
                                                Alarm.escalation_level == 0).with_for_update()).one_or_none()
    if alarm is None:
        return False
    alarm.escalation_level, alarm.escalated_at = 1, now
    alarm.escalate_at = now + config.escalation_after(alarm.priority)
    announce(session, alarm_events.ESCALATED, alarm, ctx.model_copy(update={"simulated": alarm.simulated}),
             occurred_at=now)
    return True
