"""SQLite writers take turns at the gate: handed over at once, released however the transaction ends."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from qorgau.core import sqlite_gate
from qorgau.core.db import Database

HOLD_S = 0.3


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Database:
    db = Database(f"sqlite:///{tmp_path}/gate.db")
    with db.unit_of_work() as session:
        session.execute(text("CREATE TABLE t (n INTEGER)"))
    return db


def _turn_free(db: Database) -> bool:
    gate = sqlite_gate.gate_for(str(db.engine.url.database), 1.0)
    if not gate._lock.acquire(blocking=False):  # the state under test
        return False
    gate._lock.release()
    return True


def test_a_waiting_writer_runs_as_soon_as_the_holder_commits(sqlite_db: Database) -> None:
    holding = threading.Event()
    committed_at: list[float] = []

    def holder() -> None:
        with sqlite_db.unit_of_work() as session:
            session.execute(text("INSERT INTO t VALUES (1)"))
            holding.set()
            time.sleep(HOLD_S)
        committed_at.append(time.perf_counter())

    thread = threading.Thread(target=holder)
    thread.start()
    assert holding.wait(5)
    with sqlite_db.unit_of_work() as session:
        session.execute(text("INSERT INTO t VALUES (2)"))  # the turn is taken here, at the first statement
        began = time.perf_counter()
    thread.join(5)
    # SQLite's busy handler would have slept up to 100 ms between tries; the gate hands over directly.
    assert began - committed_at[0] < 0.08
    assert _turn_free(sqlite_db)


def test_the_turn_is_released_by_rollback_close_and_a_commit_on_another_thread(sqlite_db: Database) -> None:
    with pytest.raises(ZeroDivisionError), sqlite_db.unit_of_work() as session:
        session.execute(text("INSERT INTO t VALUES (1)"))
        _ = 1 / 0
    assert _turn_free(sqlite_db)

    session = sqlite_db.sessions()
    session.execute(text("INSERT INTO t VALUES (2)"))
    assert not _turn_free(sqlite_db)
    session.close()
    assert _turn_free(sqlite_db)

    # FastAPI runs a route on one worker thread and the dependency's commit on another.
    session = sqlite_db.sessions()
    session.execute(text("INSERT INTO t VALUES (3)"))
    committer = threading.Thread(target=session.commit)
    committer.start()
    committer.join(5)
    session.close()
    assert _turn_free(sqlite_db)
    with sqlite_db.reading() as reader:
        assert reader.scalar(text("SELECT group_concat(n) FROM t")) == "3"


def test_readers_never_wait_for_the_turn(sqlite_db: Database) -> None:
    with sqlite_db.unit_of_work() as session:
        session.execute(text("INSERT INTO t VALUES (1)"))
        started = time.perf_counter()
        with sqlite_db.reading() as reader:
            assert reader.scalar(text("SELECT count(*) FROM t")) == 0
        assert time.perf_counter() - started < 1.0


HOLDER = """
import sys, time
from sqlalchemy import text
from qorgau.core.db import Database
db = Database(sys.argv[1])
with db.unit_of_work() as session:
    session.execute(text("INSERT INTO t VALUES (7)"))
    print("holding", flush=True)
    time.sleep(float(sys.argv[2]))
print("committed", time.time(), flush=True)
"""


def test_another_process_holding_the_turn_is_waited_for_then_followed_at_once(sqlite_db: Database) -> None:
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(sqlite_db.engine.url), str(HOLD_S)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "holding"
    with sqlite_db.unit_of_work() as session:
        session.execute(text("INSERT INTO t VALUES (8)"))  # the turn is taken here, at the first statement
        began = time.time()
    committed = float(proc.stdout.readline().split()[1])
    proc.stdout.close()
    assert proc.wait(10) == 0
    assert began >= committed - 0.01
    assert began - committed < 0.08
