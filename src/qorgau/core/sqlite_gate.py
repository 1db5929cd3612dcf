"""One SQLite writer at a time, handed from one to the next at once instead of polled for.

SQLite lets one transaction write at a time. A writer that finds the lock taken sleeps in SQLite's busy handler
(1, 2, 5, 10 … up to 100 ms between tries) and may wake long after the lock was freed, or lose it again to a
newcomer: under 200 API writes/s beside the ingest's group commits that polling put the p99 of a heartbeat near a
second. Worse, each waiter sits on a pooled connection, and a writer that needed a second connection while the
pool was taken by waiters held the lock until the 30 s timeout.

So every write transaction (BEGIN IMMEDIATE) first passes this gate: a lock shared by the process's threads, then an
`flock` on a file beside the database shared with the other processes (the ingest's writer process, the CLI). The
holder releases it right after its COMMIT or ROLLBACK returns, and the next waiter runs at once. The lock is not
owned by a thread: FastAPI may begin a transaction on one worker thread and commit it on another.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

POLL_MIN_S, POLL_MAX_S = 0.0002, 0.002  # flock has no timeout of its own; these waits are far below SQLite's


class WriterGate:
    """The write turn of one database file in this process (and, through its lock file, across processes)."""

    def __init__(self, lock_path: Path | None, timeout_s: float) -> None:
        self._lock = threading.Lock()
        self._lock_path = lock_path
        self._fd: int | None = None
        self._timeout_s = timeout_s

    def acquire(self) -> None:
        """Wait for the write turn; `sqlite3.OperationalError` ("database is locked") after the timeout."""
        deadline = time.monotonic() + self._timeout_s
        if not self._lock.acquire(timeout=self._timeout_s):
            raise sqlite3.OperationalError("database is locked (no write turn within the busy timeout)")
        try:
            self._flock(deadline)
        except BaseException:
            self._lock.release()
            raise

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._lock.release()

    def _flock(self, deadline: float) -> None:
        if self._lock_path is None:
            return
        if self._fd is None:
            self._fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        wait = POLL_MIN_S
        while True:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError as busy:
                if time.monotonic() >= deadline:
                    raise sqlite3.OperationalError("database is locked (another process kept the write turn)") from busy
                time.sleep(wait)
                wait = min(wait * 2, POLL_MAX_S)


_gates: dict[str, WriterGate] = {}
_gates_lock = threading.Lock()


def is_file(database: str | None) -> bool:
    """Whether a SQLite URL's database is a plain file path (not in memory, not a `file:` URI)."""
    return bool(database) and database != ":memory:" and not str(database).startswith("file:")


def gate_for(database: str | None, timeout_s: float) -> WriterGate:
    """The process's one gate of a database file (in memory: a gate of this engine only)."""
    if database is None or not is_file(database):
        return WriterGate(None, timeout_s)
    path = Path(database).resolve()
    with _gates_lock:
        gate = _gates.get(str(path))
        if gate is None:
            gate = _gates[str(path)] = WriterGate(path.with_name(path.name + ".writer-lock"), timeout_s)
        return gate


class GatedConnection(sqlite3.Connection):
    """A sqlite3 connection that gives the write turn back as soon as its transaction ends."""

    gate: WriterGate  # set on the per-engine subclass made by `connection_class`
    holds_turn: bool = False

    def begin_write(self, begin: Any) -> None:
        """Take the write turn, then run `begin()` (which issues BEGIN IMMEDIATE); give the turn back if it fails."""
        if not self.holds_turn:
            self.gate.acquire()
            self.holds_turn = True
        try:
            begin()
        except BaseException:
            self._give_back()
            raise

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._give_back()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._give_back()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._give_back()

    def _give_back(self) -> None:
        if self.holds_turn:
            self.holds_turn = False
            self.gate.release()


def connection_class(gate: WriterGate) -> type[GatedConnection]:
    """The `factory` for `sqlite3.connect` whose connections share `gate`."""
    return type("GatedConnection", (GatedConnection,), {"gate": gate})
