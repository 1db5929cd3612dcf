"""Durable subscribers: at-least-once, in commit order, idempotent by event id, after the publisher's commit."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from qorgau.core.bus import outbox
from qorgau.core.bus.models import EventCursor, EventDeadLetter, EventReceipt
from qorgau.core.bus.transport import EventTransport
from qorgau.core.bus.types import Event
from qorgau.core.db import Database
from qorgau.core.time import utcnow
from qorgau.core.workers import cancel_all

log = logging.getLogger(__name__)

Handler = Callable[[Session, Event[Any]], None]
BatchHandler = Callable[[Session, Sequence[Event[Any]]], None]
CURSOR_IDLE_WRITE_S = 2.0


@dataclass(frozen=True)
class Subscriber:
    """A named reaction to events; its work and its receipt commit together.

    ``batch``, when given, handles a whole group of events in one call (the same as ``handler`` on each in turn,
    but free to do the group's work in a few statements); ``handler`` is still used for an event on its own, when
    a group failed and is retried one event at a time.
    """

    name: str
    handler: Handler
    events: frozenset[str] = field(default_factory=frozenset)  # empty: every event
    max_attempts: int = 5
    retry_delay_s: float = 0.5
    batch: BatchHandler | None = None

    def wants(self, event: Event[Any]) -> bool:
        return not self.events or event.name in self.events


class Dispatcher:
    """Runs each subscriber as its own task so a slow one never holds the others back."""

    def __init__(self, db: Database, transport: EventTransport, subscribers: Iterable[Subscriber]) -> None:
        self.db = db
        self.transport = transport
        self.subscribers = list(subscribers)
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        """Fix where each subscriber reads from, then start them: an event committed after this returns is
        delivered even to a subscriber that is new (one that starts at the head)."""
        for sub in self.subscribers:
            after = await asyncio.to_thread(self._cursor, sub.name)
            self._tasks.append(asyncio.create_task(self._run(sub, after), name=f"subscriber:{sub.name}"))

    async def stop(self) -> None:
        """Cancel every subscriber; bounded (a group being handled in a thread still commits or rolls back on
        its own, and its events are delivered again after a restart if it did not commit)."""
        await cancel_all(self._tasks)
        self._tasks.clear()

    async def _run(self, sub: Subscriber, after: int) -> None:
        stored_at = 0.0
        async for batch in self.transport.batches(after):
            remaining = [event for event in batch if sub.wants(event)]
            if not remaining:
                # Nothing here for this subscriber: record how far it read at most once per interval, not a write
                # transaction per batch (after a restart it merely skips these events again).
                if time.monotonic() - stored_at >= CURSOR_IDLE_WRITE_S:
                    await asyncio.to_thread(self._advance, sub.name, batch[-1].seq)
                    stored_at = time.monotonic()
                continue
            through = batch[-1].seq
            while remaining:
                # Many events per transaction (a burst of alarms must not cost a commit each); the first one
                # that fails stops the group, is retried on its own, and only then do the later ones follow.
                handled, failed = await asyncio.to_thread(self._handle_group, sub, remaining, through)
                if failed is None:
                    break
                await self._deliver(sub, failed)
                remaining = remaining[handled + 1 :]
                if not remaining:
                    await asyncio.to_thread(self._advance, sub.name, through)
            stored_at = time.monotonic()

    def _handle_group(self, sub: Subscriber, events: list[Event[Any]], through: int
                      ) -> tuple[int, Event[Any] | None]:
        """Handle events in order in one transaction; stop at the first that raises.

        Returns how many were handled and the one that failed, if any. When all were handled, the cursor moves to
        ``through`` (the end of the batch they came in) in the same transaction. The group is first tried without
        a savepoint per event (a savepoint costs a flush and two statements per event, most of a cheap handler's
        time); only when something raises is it done again with one savepoint each, to keep the events before
        the failing one.
        """
        try:
            return self._group(sub, events, through, isolate=False)
        except Exception:
            return self._group(sub, events, through, isolate=True)

    def _group(self, sub: Subscriber, events: list[Event[Any]], through: int, *, isolate: bool
               ) -> tuple[int, Event[Any] | None]:
        with self.db.unit_of_work() as session:
            seen = set(session.scalars(select(EventReceipt.event_id).where(
                EventReceipt.subscriber == sub.name, EventReceipt.event_id.in_([e.id for e in events]))))
            handled, last_seq, failed = 0, 0, None
            receipts: list[dict[str, Any]] = []
            if sub.batch is not None and not isolate:
                fresh = [event for event in events if event.id not in seen]  # else redelivered: already handled
                sub.batch(session, fresh)
                receipts = [{"subscriber": sub.name, "event_id": event.id, "handled_at": utcnow()} for event in fresh]
                handled, last_seq, events = len(events), events[-1].seq, []
            for event in events:
                if event.id not in seen:  # else redelivered: already handled
                    if isolate:
                        try:
                            with session.begin_nested():
                                sub.handler(session, event)
                        except Exception:
                            failed = event
                            break
                    else:
                        sub.handler(session, event)
                    receipts.append({"subscriber": sub.name, "event_id": event.id, "handled_at": utcnow()})
                handled += 1
                last_seq = event.seq
            if receipts:
                session.execute(insert(EventReceipt), receipts)
            if failed is None:
                last_seq = max(last_seq, through)
            if last_seq:
                cursor = session.get(EventCursor, sub.name)
                if cursor is not None and cursor.last_seq < last_seq:
                    cursor.last_seq = last_seq
                    cursor.updated_at = utcnow()
        return handled, failed

    def _cursor(self, name: str) -> int:
        """Where the subscriber left off; a new subscriber starts at the current head."""
        with self.db.unit_of_work() as session:
            cursor = session.get(EventCursor, name)
            if cursor is None:
                cursor = EventCursor(subscriber=name, last_seq=outbox.head(session), updated_at=utcnow())
                session.add(cursor)
            return cursor.last_seq

    def _advance(self, name: str, seq: int) -> None:
        with self.db.unit_of_work() as session:
            cursor = session.get(EventCursor, name)
            if cursor is not None and cursor.last_seq < seq:
                cursor.last_seq = seq
                cursor.updated_at = utcnow()

    async def _deliver(self, sub: Subscriber, event: Event[Any]) -> None:
        for attempt in range(1, sub.max_attempts + 1):
            try:
                await asyncio.to_thread(self._handle_once, sub, event)
                return
            except Exception as exc:
                log.warning(
                    "subscriber %s failed on event %s (attempt %d/%d): %s",
                    sub.name, event.id, attempt, sub.max_attempts, type(exc).__name__,
                )
                if attempt == sub.max_attempts:
                    await asyncio.to_thread(self._dead_letter, sub, event, attempt, repr(exc))
                    return
                await asyncio.sleep(sub.retry_delay_s * 2 ** (attempt - 1))

    def _handle_once(self, sub: Subscriber, event: Event[Any]) -> None:
        with self.db.unit_of_work() as session:
            if session.get(EventReceipt, (sub.name, event.id)) is not None:
                return  # redelivered: already handled
            sub.handler(session, event)
            session.add(EventReceipt(subscriber=sub.name, event_id=event.id, handled_at=utcnow()))
            cursor = session.get(EventCursor, sub.name)
            if cursor is not None and cursor.last_seq < event.seq:
                cursor.last_seq = event.seq
                cursor.updated_at = utcnow()

    def _dead_letter(self, sub: Subscriber, event: Event[Any], attempts: int, error: str) -> None:
        log.error("subscriber %s gave up on event %s after %d attempts", sub.name, event.id, attempts)
        with self.db.unit_of_work() as session:
            session.add(
                EventDeadLetter(
                    subscriber=sub.name, event_id=event.id, seq=event.seq,
                    attempts=attempts, error=error[:2000], failed_at=utcnow(),
                )
            )
