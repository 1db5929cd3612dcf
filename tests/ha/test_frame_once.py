"""Migration 0030: a DC-09 frame's events are recorded once per frame identity, whichever insert brings them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from qorgau.core.bus.models import OutboxEvent
from qorgau.core.bus.outbox import BatchRow, publish_rows
from qorgau.core.db import Database
from qorgau.ingest.adapters.sia_dc09.models import Dc09Frame
from qorgau.ingest.events import PANEL_EVENT
from qorgau.ingest.rows import event_row

PANEL_TIME = datetime(2026, 12, 7, 21, 0, 5, tzinfo=UTC)


def _rows(db: Database, *, sequence: int, codes: tuple[str, ...], at: datetime | None, now: datetime,
          device: str = "PNL-0001") -> list[BatchRow]:
    """The rows a receiver makes of one frame carrying `codes` (one event each), recorded at `now`."""
    dialect = db.engine.dialect.name
    payload: dict[str, Any] = {"device_code": device, "sequence": sequence, "panel_time": at, "code": ""}
    return [event_row(dialect, PANEL_EVENT, subject_id=device, payload=payload | {"code": code},
                      actor=f"device:{device}", simulated=False, now=now) for code in codes]


def _publish(db: Database, rows: list[BatchRow]) -> None:
    with db.unit_of_work() as session:
        publish_rows(session, rows)


def _stored(db: Database) -> list[tuple[str, int, str]]:
    with db.reading() as session:
        events = session.scalars(select(OutboxEvent).where(OutboxEvent.name == PANEL_EVENT.name)
                                 .order_by(OutboxEvent.seq))
        return [(e.payload["device_code"], e.payload["sequence"], e.payload["code"]) for e in events]


@pytest.mark.timeout(60)
def test_a_frame_taken_twice_is_recorded_once(db: Database) -> None:
    now = datetime.now(UTC)
    first = _rows(db, sequence=7, codes=("BA", "FA"), at=PANEL_TIME, now=now)
    again = _rows(db, sequence=7, codes=("BA", "FA"), at=PANEL_TIME, now=now + timedelta(microseconds=3))
    _publish(db, first)
    _publish(db, again)  # the backup receiver, or this one after a lost ACK: nothing new
    assert _stored(db) == [("PNL-0001", 7, "BA"), ("PNL-0001", 7, "FA")]
    with db.reading() as session:
        claim = session.scalars(select(Dc09Frame)).one()
    assert (claim.device_code, claim.sequence, claim.panel_time) == ("PNL-0001", 7, PANEL_TIME)


@pytest.mark.timeout(60)
def test_copies_in_one_insert_and_other_identities(db: Database) -> None:
    now = datetime.now(UTC)
    rows = (_rows(db, sequence=8, codes=("BA",), at=PANEL_TIME, now=now)
            + _rows(db, sequence=8, codes=("BA",), at=PANEL_TIME, now=now + timedelta(microseconds=1))
            + _rows(db, sequence=9, codes=("BA",), at=PANEL_TIME, now=now)  # another sequence
            + _rows(db, sequence=8, codes=("BA",), at=PANEL_TIME + timedelta(seconds=1), now=now)  # another time
            + _rows(db, sequence=8, codes=("BA",), at=PANEL_TIME, now=now, device="PNL-0002"))  # another panel
    _publish(db, rows)
    assert _stored(db) == [("PNL-0001", 8, "BA"), ("PNL-0001", 9, "BA"), ("PNL-0001", 8, "BA"),
                           ("PNL-0002", 8, "BA")]


@pytest.mark.timeout(60)
def test_frames_without_a_timestamp_are_not_claimed(db: Database) -> None:
    now = datetime.now(UTC)
    _publish(db, _rows(db, sequence=5, codes=("BA",), at=None, now=now))
    _publish(db, _rows(db, sequence=5, codes=("BA",), at=None, now=now + timedelta(seconds=1)))
    assert len(_stored(db)) == 2  # no identity to tell a copy from a new message: the receiver's window does
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Dc09Frame)) == 0
