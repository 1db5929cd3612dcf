"""Durable subscribers: after commit, in order, at least once, idempotent, dead-lettered when hopeless."""

import asyncio
from collections.abc import Callable
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from qorgau.core.bus import Context, Event, publish
from qorgau.core.bus.dispatch import Dispatcher, Subscriber
from qorgau.core.bus.models import EventCursor, EventDeadLetter, EventReceipt
from qorgau.core.bus.transport import make_transport
from qorgau.core.db import Database
from qorgau.settings import Settings
from tests.conftest import run_async
from tests.core.bus.events_for_tests import PROBE, Probe


def _publish(db: Database, numbers: range, subject: Callable[[int], str] = lambda n: f"s{n % 3}") -> None:
    for n in numbers:
        with db.unit_of_work() as session:
            publish(session, PROBE, subject_id=subject(n), payload=Probe(n=n), ctx=Context.system("test"))


def _run(settings: Settings, db: Database, subscribers: list[Subscriber], until: Callable[[], bool],
         during: Callable[[], None] = lambda: None) -> None:
    async def scenario() -> None:
        transport = make_transport(settings, db)
        await transport.start()
        dispatcher = Dispatcher(db, transport, subscribers)
        await dispatcher.start()  # every subscriber's cursor is fixed when it returns
        await asyncio.to_thread(during)
        for _ in range(600):
            if until():
                break
            await asyncio.sleep(0.05)
        await dispatcher.stop()
        await transport.stop()

    run_async(scenario())


def test_subscriber_sees_only_committed_events_in_order(settings: Settings, db: Database) -> None:
    seen: list[tuple[str, int]] = []

    def handler(session: Session, event: Event[Any]) -> None:
        seen.append((event.subject_id, event.payload.n))

    def publish_some() -> None:
        _publish(db, range(10))
        try:
            with db.unit_of_work() as session:
                publish(session, PROBE, subject_id="s0", payload=Probe(n=99), ctx=Context.system("t"))
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass

    _run(settings, db, [Subscriber("order", handler, frozenset({"testing.probe"}))],
         until=lambda: len(seen) >= 10, during=publish_some)
    assert [n for _, n in seen] == list(range(10))
    for subject in ("s0", "s1", "s2"):
        ordered = [n for s, n in seen if s == subject]
        assert ordered == sorted(ordered)


def test_redelivery_is_harmless(settings: Settings, db: Database) -> None:
    calls: list[int] = []

    def handler(session: Session, event: Event[Any]) -> None:
        calls.append(event.payload.n)

    sub = Subscriber("idem", handler)
    _run(settings, db, [sub], until=lambda: len(calls) >= 5, during=lambda: _publish(db, range(5)))
    assert calls == [0, 1, 2, 3, 4]
    # Simulate a crash between the work and the cursor: rewind the cursor; everything is delivered again.
    with db.unit_of_work() as session:
        session.execute(update(EventCursor).where(EventCursor.subscriber == "idem").values(last_seq=0))
    _run(settings, db, [sub], until=lambda: len(calls) >= 5)
    with db.reading() as session:
        receipts = session.scalars(select(EventReceipt).where(EventReceipt.subscriber == "idem")).all()
    assert calls == [0, 1, 2, 3, 4]
    assert len(receipts) == 5


def test_work_and_receipt_commit_together(settings: Settings, db: Database) -> None:
    attempts: list[int] = []

    def flaky(session: Session, event: Event[Any]) -> None:
        attempts.append(event.payload.n)
        session.add(EventCursor(subscriber=f"side-effect-{len(attempts)}", last_seq=0,
                                updated_at=event.recorded_at))
        if len(attempts) == 1:
            raise RuntimeError("transient failure")

    _run(settings, db, [Subscriber("flaky", flaky, retry_delay_s=0.01)], until=lambda: len(attempts) >= 2,
         during=lambda: _publish(db, range(1)))
    with db.reading() as session:
        names = set(session.scalars(select(EventCursor.subscriber)))
    assert "side-effect-1" not in names  # the failed attempt's work rolled back with it
    assert "side-effect-2" in names


def test_hopeless_event_is_dead_lettered_and_the_rest_go_on(settings: Settings, db: Database) -> None:
    handled: list[int] = []

    def handler(session: Session, event: Event[Any]) -> None:
        if event.payload.n == 1:
            raise ValueError("cannot handle")
        handled.append(event.payload.n)

    _run(settings, db, [Subscriber("dlq", handler, max_attempts=2, retry_delay_s=0.01)],
         until=lambda: 2 in handled, during=lambda: _publish(db, range(3)))
    # A group with a failure is done again with a savepoint per event, so a handler may run twice for the events
    # before the failing one (their database work was rolled back with the first try): only in-memory effects repeat.
    assert list(dict.fromkeys(handled)) == [0, 2]
    with db.reading() as session:
        (letter,) = session.scalars(select(EventDeadLetter)).all()
    assert letter.subscriber == "dlq" and letter.attempts == 2 and "cannot handle" in letter.error


def test_new_subscriber_starts_at_the_head(settings: Settings, db: Database) -> None:
    _publish(db, range(3))
    seen: list[int] = []
    _run(settings, db, [Subscriber("late", lambda s, e: seen.append(e.payload.n))],
         until=lambda: 3 in seen, during=lambda: _publish(db, range(3, 4)))
    assert seen == [3]


def test_a_failing_event_in_a_group_is_retried_alone_and_order_holds(settings: Settings, db: Database) -> None:
    handled: list[int] = []
    failures = {4: 2}  # event n=4 fails twice, then succeeds

    def handler(session: Session, event: Event[Any]) -> None:
        n = event.payload.n
        if failures.get(n, 0) > 0:
            failures[n] -= 1
            session.add(EventReceipt(subscriber="probe-write", event_id=event.id, handled_at=event.recorded_at))
            raise RuntimeError("transient")
        handled.append(n)

    def publish_burst() -> None:  # one transaction: the subscriber sees them as one group
        with db.unit_of_work() as session:
            for n in range(8):
                publish(session, PROBE, subject_id="g", payload=Probe(n=n), ctx=Context.system("test"))

    sub = Subscriber("group", handler, frozenset({"testing.probe"}), retry_delay_s=0.01)
    _run(settings, db, [sub], until=lambda: 7 in handled, during=publish_burst)
    # The group is tried whole, then again with a savepoint per event (0–3 run twice in memory, once in the
    # database), then 4 alone, then the rest: what committed is each once, in commit order.
    assert handled[-8:] == list(range(8))
    with db.reading() as session:
        receipts = session.scalars(select(EventReceipt.subscriber)).all()
    assert sorted(receipts) == ["group"] * 8  # the failed attempts' writes were rolled back with them
