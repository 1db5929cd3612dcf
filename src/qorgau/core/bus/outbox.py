"""Publishing into the outbox, in the publisher's own transaction, and reading it back in order."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Text, cast, func, select, text
from sqlalchemy import event as sa_event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from qorgau.core.bus.models import OutboxEvent
from qorgau.core.bus.types import Context, Event, EventType, P, StoredEvent, new_event
from qorgau.core.time import as_utc

PG_NOTIFY_CHANNEL = "qorgau_events"
# Serialises event-publishing transactions on PostgreSQL so sequence order is commit order:
# a reader that has seen seq N can never later miss a smaller seq committed after it.
_PG_PUBLISH_LOCK = 0x51_06_A0_01
_PUBLISHED = "qorgau.events_published"
_after_commit_wakers: list[Callable[[], None]] = []


def publish(
    session: Session,
    kind: EventType[P],
    *,
    subject_id: str,
    payload: P,
    ctx: Context,
    occurred_at: datetime | None = None,
) -> Event[P]:
    """Record an event in the caller's transaction; it is delivered only once that commits."""
    event = new_event(kind, subject_id=subject_id, payload=payload, ctx=ctx, occurred_at=occurred_at)
    row = _add(session, event)
    session.flush()
    return Event(**{**event.__dict__, "seq": row.seq})


def publish_later(session: Session, kind: EventType[P], *, subject_id: str, payload: P, ctx: Context,
                  occurred_at: datetime | None = None) -> None:
    """`publish` without reading the sequence back: the row is inserted by the session's next flush, with
    the rows of the same kind of work around it (a burst of alarms then costs one flush less per alarm)."""
    _add(session, new_event(kind, subject_id=subject_id, payload=payload, ctx=ctx, occurred_at=occurred_at))


def _add(session: Session, event: Event[Any]) -> OutboxEvent:
    _before_publishing(session)
    row = OutboxEvent(**_columns(event))
    session.add(row)
    session.info[_PUBLISHED] = True
    return row


def publish_batch(session: Session, events: Sequence[Event[Any]]) -> None:
    """Record many events (made with `new_event`) in one multi-row insert: the ingest's group commit.

    Their sequence numbers follow the given order; they are not read back, which is what makes this fast.
    """
    dialect = session.get_bind().dialect.name
    publish_rows(session, [batch_row(dialect, event) for event in events])


def batch_row(dialect: str, event: Event[Any]) -> BatchRow:
    """An event as `publish_rows` stores it; the ingest prepares these on its adapters' threads, so the
    writer thread holds the GIL only briefly (serialising there would compete with the event loop).

    The columns of `_ROW_COLUMNS` in order, payload and context already JSON text (serialised once, here); on
    SQLite also the id and the times in SQLAlchemy's storage format, on PostgreSQL a UUID and aware datetimes.
    """
    if dialect == "sqlite":
        return _sqlite_row(event)
    return (event.id, event.name, event.version, event.subject_type, event.subject_id, event.occurred_at,
            event.recorded_at, event.payload.model_dump_json(), event.context.model_dump_json())


BatchRow = tuple[object, ...]
_ROW_COLUMNS = "id, name, version, subject_type, subject_id, occurred_at, recorded_at, payload, context"
# COPY, not INSERT: the rows stream to the server in one statement, no parameters planned per row, and the JSON
# text goes in as it is (SQLAlchemy's JSON type would parse nothing but serialise every payload again).
_PG_COPY = f"COPY events ({_ROW_COLUMNS}) FROM STDIN"


def publish_rows(session: Session, rows: Sequence[BatchRow]) -> None:
    """Insert rows made by `batch_row` for this session's database, in order, in the caller's transaction."""
    if not rows:
        return
    _before_publishing(session)
    if session.get_bind().dialect.name != "sqlite":
        connection = session.connection()
        driver: Any = connection.connection.driver_connection  # psycopg's: the engine is psycopg 3
        dbapi_error = connection.dialect.loaded_dbapi.Error
        try:
            with driver.cursor() as cursor, cursor.copy(_PG_COPY) as copy:
                for row in rows:
                    copy.write_row(row)
        except dbapi_error as exc:  # as SQLAlchemy would have raised it (a duplicate id is an IntegrityError)
            raise DBAPIError.instance(_PG_COPY, None, exc, dbapi_error) from exc
    else:
        # Multi-row INSERTs through the driver with values already in SQLAlchemy's SQLite storage format
        # (32-hex UUID, naive UTC timestamp text, JSON text), read back identically. One statement per
        # thousand rows, not one step per row: the driver releases the GIL at every step, and under ingest
        # load each release costs the other thread a switch interval.
        connection = session.connection()
        per_insert = _sqlite_rows_per_insert(connection.connection.driver_connection)
        for start in range(0, len(rows), per_insert):
            chunk = rows[start : start + per_insert]
            params = tuple(value for row in chunk for value in row)
            connection.exec_driver_sql(_SQLITE_INSERT + ", ".join([_SQLITE_VALUES] * len(chunk)), params)
    session.info[_PUBLISHED] = True


_SQLITE_INSERT = f"INSERT INTO events ({_ROW_COLUMNS}) VALUES "  # noqa: S608 - constant column names
_SQLITE_VALUES = "(?, ?, ?, ?, ?, ?, ?, ?, ?)"


def _sqlite_rows_per_insert(driver_connection: Any) -> int:
    """Rows per statement within the build's parameter limit (32,766 since SQLite 3.32, 999 before)."""
    limit = int(driver_connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
    return max(1, min(1000, limit // 9))


def _sqlite_time(moment: datetime) -> str:
    """`YYYY-MM-DD HH:MM:SS.ffffff` in UTC, as SQLAlchemy's SQLite DATETIME writes it."""
    return as_utc(moment).isoformat(" ", "microseconds")[:26]


def _sqlite_row(event: Event[Any]) -> tuple[object, ...]:
    return (
        event.id.hex, event.name, event.version, event.subject_type, event.subject_id,
        _sqlite_time(event.occurred_at), _sqlite_time(event.recorded_at),
        event.payload.model_dump_json(), event.context.model_dump_json(),
    )


def _before_publishing(session: Session) -> None:
    bind = session.get_bind()
    if bind.dialect.name == "postgresql" and not session.info.get(_PUBLISHED):
        # One round trip for both. NOTIFY inside the transaction is delivered by PostgreSQL exactly at commit.
        session.execute(text("SELECT pg_advisory_xact_lock(:k), pg_notify(:c, '')"),
                        {"k": _PG_PUBLISH_LOCK, "c": PG_NOTIFY_CHANNEL})


def _columns(event: Event[Any]) -> dict[str, Any]:
    return {
        "id": event.id, "name": event.name, "version": event.version, "subject_type": event.subject_type,
        "subject_id": event.subject_id, "occurred_at": event.occurred_at, "recorded_at": event.recorded_at,
        "payload": event.payload.model_dump(mode="json"), "context": event.context.model_dump(mode="json"),
    }


def add_after_commit_waker(waker: Callable[[], None]) -> None:
    """Run ``waker`` after any transaction that published events commits (e.g. poke local readers)."""
    if waker not in _after_commit_wakers:
        _after_commit_wakers.append(waker)


def remove_after_commit_waker(waker: Callable[[], None]) -> None:
    if waker in _after_commit_wakers:
        _after_commit_wakers.remove(waker)


@sa_event.listens_for(Session, "after_commit")
def _wake_readers(session: Session) -> None:
    if session.info.pop(_PUBLISHED, False):
        for waker in list(_after_commit_wakers):
            waker()


@sa_event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_PUBLISHED, None)


def to_event(row: OutboxEvent | Row[Any] | Any) -> Event[Any]:
    """The typed event of a stored row (an `OutboxEvent`, or a row of its columns); its payload is validated
    when first used (`StoredEvent`)."""
    return StoredEvent(seq=row.seq, id=row.id, name=row.name, version=row.version, subject_type=row.subject_type,
                       subject_id=row.subject_id, occurred_at=row.occurred_at, recorded_at=row.recorded_at,
                       payload_json=row.payload, context_json=row.context)


# Payload and context as their stored JSON text: decoded only when used (`StoredEvent`), and the live feed sends
# the text as it is (every reader used to decode both for every event, most never looked at them).
_EVENT_COLUMNS = (OutboxEvent.seq, OutboxEvent.id, OutboxEvent.name, OutboxEvent.version, OutboxEvent.subject_type,
                  OutboxEvent.subject_id, OutboxEvent.occurred_at, OutboxEvent.recorded_at,
                  cast(OutboxEvent.payload, Text).label("payload"), cast(OutboxEvent.context, Text).label("context"))


def read_after(session: Session, seq: int, *, limit: int = 500) -> list[Event[Any]]:
    """Committed events with a sequence above ``seq``, oldest first."""
    # Plain rows, not ORM objects: every reader (each subscriber, the live feed) reads every event, and the
    # identity map's bookkeeping per row was a quarter of reading a burst.
    rows = session.execute(select(*_EVENT_COLUMNS).where(OutboxEvent.seq > seq).order_by(OutboxEvent.seq)
                           .limit(limit))
    return [to_event(row) for row in rows]


def head(session: Session) -> int:
    """The highest committed sequence number (0 when empty)."""
    return int(session.scalar(select(func.coalesce(func.max(OutboxEvent.seq), 0))) or 0)
