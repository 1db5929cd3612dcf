"""Outbox retention: committed events older than `outbox_keep_days` that every durable subscriber has handled are
deleted in small batches by a periodic job, with their delivery receipts. The audit log is a separate table and
is never pruned.

"Handled by every subscriber" is read from the cursors: a subscriber's cursor passes an event only once the event
was handled or skipped (`dispatch.py`), so everything up to the lowest cursor is done. An event a subscriber gave up
on (a dead letter) is kept for replay whatever its age, and the newest event is always kept so the head of the log
(where a new subscriber starts) never goes back to zero.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from qorgau.core.bus.jetstream import RELAY_CURSOR
from qorgau.core.bus.models import EventCursor, EventDeadLetter, EventReceipt, OutboxEvent
from qorgau.core.db import Database
from qorgau.core.settings import CoreSettings
from qorgau.core.time import utcnow
from qorgau.core.workers import Periodic

log = logging.getLogger(__name__)
INTERVAL_S = 3600.0
BATCH = 2000  # rows per transaction: short write locks, so the ingest's group commits are never held long
MAX_BATCHES = 50  # per pass; the next pass continues


@dataclass(frozen=True)
class Horizon:
    """Up to which sequence, and before which moment, events may go."""

    through_seq: int
    before: datetime


def horizon(session: Session, *, now: datetime, keep_days: int, ignored: Collection[str] = ()) -> Horizon | None:
    """Where pruning may reach now, or None when nothing may go; ``ignored`` cursors do not hold it back."""
    newest = session.scalar(select(func.max(OutboxEvent.seq)))
    if newest is None:
        return None
    slowest = session.scalar(select(func.min(EventCursor.last_seq)).where(EventCursor.subscriber.not_in(ignored))
                             if ignored else select(func.min(EventCursor.last_seq)))
    through = newest - 1 if slowest is None else min(int(slowest), newest - 1)
    if through <= 0:
        return None
    return Horizon(through, now - timedelta(days=keep_days))


def prune_batch(session: Session, limit: Horizon, batch: int = BATCH) -> int:
    """Delete up to ``batch`` prunable events (oldest first) and their receipts; returns how many."""
    kept = select(EventDeadLetter.event_id)
    rows = session.execute(
        select(OutboxEvent.seq, OutboxEvent.id)
        .where(OutboxEvent.seq <= limit.through_seq, OutboxEvent.recorded_at < limit.before,
               OutboxEvent.id.not_in(kept))
        .order_by(OutboxEvent.seq).limit(batch)
    ).all()
    if not rows:
        return 0
    session.execute(delete(EventReceipt).where(EventReceipt.event_id.in_([row.id for row in rows])))
    session.execute(delete(OutboxEvent).where(OutboxEvent.seq.in_([row.seq for row in rows])))
    return len(rows)


def prune(db: Database, *, keep_days: int, now: datetime | None = None, batch: int = BATCH,
          max_batches: int = MAX_BATCHES, ignored: Collection[str] = ()) -> int:
    """One pass: prune batch by batch, each in its own transaction; returns how many events went."""
    if keep_days <= 0:
        return 0
    with db.reading() as session:
        limit = horizon(session, now=now or utcnow(), keep_days=keep_days, ignored=ignored)
    if limit is None:
        return 0
    total = 0
    for _ in range(max_batches):
        with db.unit_of_work() as session:
            done = prune_batch(session, limit, batch)
        total += done
        if done < batch:
            break
    if total:
        log.info("outbox pruned", extra={"events": total, "through_seq": limit.through_seq})
    return total


def periodic(settings: CoreSettings, db: Database) -> list[Periodic]:
    """The retention job, when retention is on."""
    if settings.outbox_keep_days <= 0:
        return []
    # The relay's cursor matters only while the relay runs: left from a time JetStream was on, it would hold
    # every later event for ever.
    ignored = () if settings.event_transport == "jetstream" else (RELAY_CURSOR,)
    return [Periodic("outbox-retention", INTERVAL_S,
                     lambda: prune(db, keep_days=settings.outbox_keep_days, ignored=ignored))]
