"""Escalation of waiting calls: a call nobody talks to past the threshold goes to the supervisor, and again.

Like an unacknowledged alarm: escalation is a level on the call, not a state, repeated every interval, once
after downtime. An SOS call's alarm, if still new, escalates at once through the alarms' own step, so the
supervisor's alarm desk shows it as any escalated alarm.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from qorgau.alarms import escalation as alarm_escalation
from qorgau.core.bus import Context
from qorgau.voice import events, service
from qorgau.voice.enums import WAITING_STATES
from qorgau.voice.models import VoiceCall

BATCH = 200
WAITING_VALUES = tuple(str(s) for s in WAITING_STATES)


def escalate_due(session: Session, now: datetime, *, every: timedelta, ctx: Context | None = None,
                 limit: int = BATCH) -> list[int]:
    """Raise the level of waiting calls past their escalation time; publishes `voice.call_ringing`. Returns ids."""
    ctx = ctx or Context.system("voice.escalation")
    query = (select(VoiceCall).where(VoiceCall.escalate_at <= now, VoiceCall.state.in_(WAITING_VALUES))
             .order_by(VoiceCall.escalate_at, VoiceCall.id).limit(limit).with_for_update(skip_locked=True))
    escalated = []
    for call in session.scalars(query):
        call.escalation_level += 1
        call.escalated_at = call.updated_at = now
        due = (call.escalate_at or now) + every
        call.escalate_at = due if due > now else now + every  # after downtime: once now, then every interval
        service.announce(session, events.RINGING, call, ctx, now)
        if call.alarm_id is not None:
            alarm_escalation.escalate_now(session, alarm_id=call.alarm_id, now=now, ctx=ctx)
        escalated.append(call.id)
    return escalated
