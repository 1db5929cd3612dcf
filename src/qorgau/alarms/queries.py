"""The alarm queue: by priority (1 first), then age, then id; keyset pages that stay stable as alarms arrive."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from qorgau.alarms.enums import OPEN_STATES, AlarmState
from qorgau.alarms.models import Alarm
from qorgau.core.errors import QorgauError
from qorgau.core.pagination import decode_cursor, encode_cursor


@dataclass(frozen=True)
class QueueFilter:
    states: Sequence[AlarmState] = OPEN_STATES
    max_priority: int | None = None
    device: str | None = None
    site: str | None = None


@dataclass(frozen=True)
class After:
    priority: int
    first_at: datetime
    id: int


def cursor_of(alarm: Alarm) -> str:
    return encode_cursor([alarm.priority, alarm.first_at.isoformat(), alarm.id])


def parse_cursor(cursor: str | None) -> After | None:
    """The position a cursor of this list carries; anything else is a bad cursor, not a 500."""
    value: Any = decode_cursor(cursor)
    if value is None:
        return None
    try:
        priority, first_at, alarm_id = value
        after = After(int(priority), datetime.fromisoformat(first_at), int(alarm_id))
    except (TypeError, ValueError) as exc:
        raise QorgauError("request.bad_cursor", status=400) from exc
    if after.first_at.tzinfo is None:
        raise QorgauError("request.bad_cursor", status=400)
    return after


def page(session: Session, *, where: QueueFilter, after: After | None, limit: int) -> Sequence[Alarm]:
    query = select(Alarm).where(Alarm.state.in_([str(s) for s in where.states]))
    if where.max_priority is not None:
        query = query.where(Alarm.priority <= where.max_priority)
    if where.device:
        query = query.where(Alarm.device_code == where.device.strip().upper())
    if where.site:
        query = query.where(Alarm.site_code == where.site.strip().upper())
    if after is not None:
        query = query.where(or_(
            Alarm.priority > after.priority,
            and_(Alarm.priority == after.priority, Alarm.first_at > after.first_at),
            and_(Alarm.priority == after.priority, Alarm.first_at == after.first_at, Alarm.id > after.id),
        ))
    return session.scalars(query.order_by(Alarm.priority, Alarm.first_at, Alarm.id).limit(limit)).all()
