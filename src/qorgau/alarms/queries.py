"""The alarm queue (by priority, 1 first, then age, then id) and the history of closed alarms; keyset pages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
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


@dataclass(frozen=True)
class HistoryFilter:
    """Closed alarms: ``text`` matches codes, kind, rule, people and notes, or the names of sites it names."""

    text: str | None = None
    site_codes: Sequence[str] = ()  # sites whose names match ``text`` (looked up in the registry by the caller)
    kinds: Sequence[str] = ()
    max_priority: int | None = None
    site: str | None = None
    resolutions: Sequence[str] = ()
    since: datetime | None = None
    until: datetime | None = None


def history_cursor(alarm: Alarm) -> str:
    closed = alarm.resolved_at or alarm.last_at  # the history holds resolved alarms only
    return encode_cursor([closed.isoformat(), alarm.id])


def parse_history_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    value: Any = decode_cursor(cursor)
    if value is None:
        return None
    try:
        resolved_at, alarm_id = value
        after = datetime.fromisoformat(resolved_at), int(alarm_id)
    except (TypeError, ValueError) as exc:
        raise QorgauError("request.bad_cursor", status=400) from exc
    if after[0].tzinfo is None:
        raise QorgauError("request.bad_cursor", status=400)
    return after


def _like(text: str) -> str:
    escaped = text.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def history(session: Session, *, where: HistoryFilter, after: tuple[datetime, int] | None,
            limit: int) -> Sequence[Alarm]:
    """Resolved alarms, the latest closed first; keyset pages on (resolved_at, id)."""
    query = select(Alarm).where(Alarm.state == str(AlarmState.RESOLVED), Alarm.resolved_at.is_not(None))
    if where.text and where.text.strip():
        pattern = _like(where.text)
        matches: list[ColumnElement[bool]] = [func.lower(column).like(pattern, escape="\\") for column in (
            Alarm.device_code, Alarm.site_code, Alarm.kind, Alarm.rule_code, Alarm.signal, Alarm.resolution_note,
            Alarm.acknowledged_by_name, Alarm.resolved_by_name)]
        if where.site_codes:
            matches.append(Alarm.site_code.in_(list(where.site_codes)))
        if where.text.strip().isdigit():
            matches.append(Alarm.id == int(where.text.strip()))
        query = query.where(or_(*matches))
    if where.kinds:
        query = query.where(Alarm.kind.in_(list(where.kinds)))
    if where.max_priority is not None:
        query = query.where(Alarm.priority <= where.max_priority)
    if where.site:
        query = query.where(Alarm.site_code == where.site.strip().upper())
    if where.resolutions:
        query = query.where(Alarm.resolution.in_(list(where.resolutions)))
    if where.since is not None:
        query = query.where(Alarm.resolved_at >= where.since)
    if where.until is not None:
        query = query.where(Alarm.resolved_at < where.until)
    if after is not None:
        query = query.where(or_(Alarm.resolved_at < after[0],
                                and_(Alarm.resolved_at == after[0], Alarm.id < after[1])))
    return session.scalars(query.order_by(Alarm.resolved_at.desc(), Alarm.id.desc()).limit(limit)).all()


def changed_since(session: Session, since: datetime, *, limit: int) -> Sequence[Alarm]:
    """Alarms raised or closed since ``since`` (a shift's work), the latest first."""
    query = select(Alarm).where(or_(Alarm.first_at >= since, Alarm.resolved_at >= since))
    return session.scalars(query.order_by(Alarm.last_at.desc(), Alarm.id.desc()).limit(limit)).all()
