"""The outbox's order under concurrent writers: a reader that follows the sequence never skips an event.

On PostgreSQL sequence numbers are handed out before commit, so without the publish lock a transaction holding
seq 5 could commit after one holding seq 6, and a reader already past 6 would never see 5. The ingest's group
insert (`publish_rows`) must take that lock before its first row; these tests hold it to that promise (with the
lock left out they fail on PostgreSQL).
"""

from __future__ import annotations

import random
import threading
import time

import pytest

from qorgau.core.bus import Context, publish
from qorgau.core.bus.outbox import batch_row, publish_rows, read_after
from qorgau.core.bus.types import new_event
from qorgau.core.db import Database
from tests.core.bus.events_for_tests import PROBE, Probe

WRITERS = 4
GROUPS = 25
ROWS = 5


def _write_groups(db: Database, writer: int, *, single_first: bool, errors: list[BaseException]) -> None:
    rng = random.Random(writer)
    dialect = db.engine.dialect.name
    try:
        for group in range(GROUPS):
            events = [new_event(PROBE, subject_id=f"w{writer}", payload=Probe(n=group * ROWS + n),
                                ctx=Context.system("order-test")) for n in range(ROWS)]
            with db.unit_of_work() as session:
                if single_first and group % 2:
                    publish(session, PROBE, subject_id=f"w{writer}", payload=Probe(n=-1), ctx=Context.system("t"))
                publish_rows(session, [batch_row(dialect, event) for event in events])
                # Hold the numbers a while before committing: the window in which, without the lock, a later
                # writer's numbers would commit first.
                time.sleep(rng.uniform(0, 0.004))
    except BaseException as exc:  # reported by the test, not lost in a thread
        errors.append(exc)


def _follow(db: Database, stop: threading.Event, seen: list[int]) -> None:
    cursor = 0
    while True:
        finished = stop.is_set()  # read before the query: a last full pass after every writer is done
        with db.reading() as session:
            batch = read_after(session, cursor, limit=10_000)
        seen.extend(event.seq for event in batch)
        if batch:
            cursor = batch[-1].seq
        if finished:
            return
        time.sleep(0.001)


@pytest.mark.timeout(180)
@pytest.mark.parametrize("single_first", [False, True], ids=["groups", "single-then-group"])
def test_a_following_reader_sees_every_event_of_concurrent_group_inserts(db: Database, single_first: bool) -> None:
    stop, seen, errors = threading.Event(), list[int](), list[BaseException]()
    reader = threading.Thread(target=_follow, args=(db, stop, seen))
    reader.start()
    writers = [threading.Thread(target=_write_groups, args=(db, n), kwargs={"single_first": single_first,
                                                                            "errors": errors})
               for n in range(WRITERS)]
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join(150)
    stop.set()
    reader.join(30)
    assert not errors, errors
    with db.reading() as session:
        stored = [event.seq for event in read_after(session, 0, limit=100_000)]
    per_writer = GROUPS * ROWS + (GROUPS // 2 if single_first else 0)
    assert len(stored) == WRITERS * per_writer
    assert seen == stored  # nothing skipped by the follower, nothing out of order


def test_group_insert_keeps_the_given_order_and_ids(db: Database) -> None:
    dialect = db.engine.dialect.name
    events = [new_event(PROBE, subject_id=f"o{n}", payload=Probe(n=n), ctx=Context.system("t")) for n in range(300)]
    random.Random(7).shuffle(events)
    with db.unit_of_work() as session:
        publish_rows(session, [batch_row(dialect, event) for event in events])
    with db.reading() as session:
        stored = read_after(session, 0, limit=1000)
    assert [(e.id, e.payload) for e in stored] == [(e.id, e.payload) for e in events]
