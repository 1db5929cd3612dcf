"""Outbox retention: old events every subscriber handled go with their receipts; everything else stays."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from qorgau.audit import service as audit_service
from qorgau.audit.models import AuditRecord
from qorgau.core.bus import Context, Event, publish
from qorgau.core.bus.dispatch import Dispatcher, Subscriber
from qorgau.core.bus.jetstream import RELAY_CURSOR
from qorgau.core.bus.models import EventCursor, EventDeadLetter, EventReceipt, OutboxEvent
from qorgau.core.bus.retention import periodic, prune
from qorgau.core.bus.transport import make_transport
from qorgau.core.db import Database
from qorgau.core.errors import ConfigError
from qorgau.core.time import utcnow
from qorgau.settings import Settings, load_settings
from tests.conftest import CLI_ACTOR, run_async
from tests.core.bus.events_for_tests import PROBE, Probe

KEEP = 30


def _publish(db: Database, count: int, *, age_days: float) -> list[int]:
    """Publish ``count`` events (each with an audit record) recorded ``age_days`` ago; their sequence numbers."""
    seqs = []
    for n in range(count):
        with db.unit_of_work() as session:
            seqs.append(publish(session, PROBE, subject_id="r", payload=Probe(n=n), ctx=Context.system("t")).seq)
            audit_service.record(session, action="test.retention", actor=CLI_ACTOR)
    with db.unit_of_work() as session:
        session.execute(update(OutboxEvent).where(OutboxEvent.seq.in_(seqs))
                        .values(recorded_at=utcnow() - timedelta(days=age_days)))
    return seqs


def _handle_all(settings: Settings, db: Database, name: str, through: int) -> None:
    """Run a real durable subscriber from the start of the log until its cursor passes ``through``."""
    with db.unit_of_work() as session:
        session.add(EventCursor(subscriber=name, last_seq=0, updated_at=utcnow()))

    def handler(session: Session, event: Event[Any]) -> None:
        """Handles every event (its receipt is what retention must delete along with the event)."""

    def cursor() -> int:
        with db.reading() as session:
            return int(session.scalar(select(EventCursor.last_seq).where(EventCursor.subscriber == name)) or 0)

    async def scenario() -> None:
        transport = make_transport(settings, db)
        await transport.start()
        dispatcher = Dispatcher(db, transport, [Subscriber(name, handler)])
        await dispatcher.start()
        for _ in range(400):
            if cursor() >= through:
                break
            await asyncio.sleep(0.05)
        await dispatcher.stop()
        await transport.stop()

    run_async(scenario())
    assert cursor() >= through


def _seqs(db: Database) -> list[int]:
    with db.reading() as session:
        return list(session.scalars(select(OutboxEvent.seq).order_by(OutboxEvent.seq)))


def _count(db: Database, table: Any) -> int:
    with db.reading() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def test_old_events_every_subscriber_handled_are_pruned(settings: Settings, db: Database) -> None:
    old = _publish(db, 6, age_days=KEEP + 5)
    young = _publish(db, 3, age_days=1)
    _handle_all(settings, db, "everyone", young[-1])
    assert _seqs(db) == old + young
    assert _count(db, EventReceipt) == 9
    audit_before = _count(db, AuditRecord)

    assert prune(db, keep_days=KEEP, batch=4) == 6  # in two transactions of at most four
    assert _seqs(db) == young
    assert _count(db, EventReceipt) == 3  # the receipts of the pruned events went with them
    assert _count(db, AuditRecord) == audit_before  # the audit log is never pruned
    assert prune(db, keep_days=KEEP) == 0


def test_unhandled_dead_lettered_and_newest_events_are_kept(settings: Settings, db: Database) -> None:
    old = _publish(db, 8, age_days=KEEP + 5)
    _handle_all(settings, db, "fast", old[-1])
    # A slow subscriber has handled only the first three: the rest are not everyone's yet.
    with db.unit_of_work() as session:
        session.add(EventCursor(subscriber="slow", last_seq=old[2], updated_at=utcnow()))
        dead = session.scalar(select(OutboxEvent.id).where(OutboxEvent.seq == old[1]))
        assert dead is not None
        session.add(EventDeadLetter(subscriber="fast", event_id=dead, seq=old[1], attempts=5, error="boom",
                                    failed_at=utcnow()))

    assert prune(db, keep_days=KEEP) == 2  # old[0] and old[2]; old[1] waits for its replay
    assert _seqs(db) == [old[1], *old[3:]]

    with db.unit_of_work() as session:  # the slow one catches up: everything old may go but the newest event
        session.execute(update(EventCursor).where(EventCursor.subscriber == "slow").values(last_seq=old[-1]))
        # A relay cursor left from a time JetStream was on holds nothing back once the relay is off.
        session.add(EventCursor(subscriber=RELAY_CURSOR, last_seq=0, updated_at=utcnow()))
    assert prune(db, keep_days=KEEP) == 0
    assert prune(db, keep_days=KEEP, ignored=(RELAY_CURSOR,)) == 4
    assert _seqs(db) == [old[1], old[-1]]


def test_retention_off_or_too_short_is_refused_or_idle(settings: Settings, db: Database, tmp_path: Any) -> None:
    _publish(db, 3, age_days=400)
    assert prune(db, keep_days=0) == 0 and len(_seqs(db)) == 3
    assert periodic(settings.model_copy(update={"outbox_keep_days": 0}), db) == []
    (job,) = periodic(settings, db)
    assert job.name == "outbox-retention"
    with db.unit_of_work() as session:  # the relay's cursor is ignored unless JetStream is on
        session.add(EventCursor(subscriber=RELAY_CURSOR, last_seq=0, updated_at=utcnow()))
    job.job()
    assert _seqs(db)[-1:] == _seqs(db)  # all but the newest went: the days-old relay cursor held nothing back
    (relaying,) = periodic(settings.model_copy(update={"event_transport": "jetstream", "outbox_keep_days": 8}), db)
    _publish(db, 2, age_days=400)
    relaying.job()
    assert len(_seqs(db)) == 3  # with the relay on, its cursor at 0 keeps them
    with pytest.raises(ConfigError, match="outbox_keep_days"):
        load_settings(data_dir=tmp_path, outbox_keep_days=3)
