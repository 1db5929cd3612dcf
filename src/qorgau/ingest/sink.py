"""Group commit: every adapter's events are written by one writer thread, many per transaction.

An adapter hands over the events of one message and acknowledges the device only when told they are committed.
While one transaction commits, the next messages queue up and go into the next one, so the commit rate adapts
to the load without any timer (SQLite here: ~10,000 single-row commits/s, ~370,000 rows/s in groups of 100).
A failed group is retried message by message, so one bad message cannot keep the others from being recorded.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from qorgau.core.bus import Event
from qorgau.core.bus.outbox import BatchRow, batch_row, publish_rows
from qorgau.core.db import Database, OutageBudget
from qorgau.core.time import utcnow
from qorgau.devices import health as device_health
from qorgau.devices.enums import Health
from qorgau.devices.health import Sighting
from qorgau.ingest.directory import DeviceRef, Directory
from qorgau.ingest.metrics import IngestMetrics

log = logging.getLogger(__name__)

Done = Callable[[BaseException | None], None]
FAILOVER_RETRY_S = 10.0  # within a panel's usual ACK timeout (DC-09 panels wait 20-30 s) and a failover's time
# One budget per outage for this process's one writer (thread or process): a group split into its messages
# after the budget is spent tries each once.
_outage = OutageBudget(FAILOVER_RETRY_S)


class GroupWriter(Protocol):
    """Commits each group somewhere else (the writer process) with `commit_rows`, blocking until it is durable."""

    def start(self) -> None: ...

    def commit(self, rows: Sequence[BatchRow], beats: Sequence[Sighting]) -> float: ...

    def stop(self) -> None: ...


@dataclass(frozen=True, slots=True)
class Heartbeat:
    """A device showed it is alive (any traffic counts); `status` degraded carries what it reported."""

    device: DeviceRef
    status: Health = Health.ONLINE
    detail: str | None = None


def _sighting(beat: Heartbeat) -> Sighting:
    return Sighting(beat.device.id, beat.device.code, beat.device.supervision_interval_s, beat.status, beat.detail)


def commit_rows(db: Database, rows: Sequence[BatchRow], beats: Sequence[Sighting]) -> None:
    """`commit_group`, tried again while PostgreSQL fails over (FAILOVER_RETRY_S per outage), so the frames in hand
    are ACKed as soon as the new primary takes them rather than after the panels' retransmission timeout.

    Safe to repeat: if a commit did land before its connection broke, the retry's rows carry the same event ids
    (unique) and are refused, so nothing is stored twice; the group is then not ACKed, the panels send it again
    and the receiver answers the recorded frame (migration 0030). Only a retry that commits is ACKed.
    """
    _outage(lambda: commit_group(db, rows, beats))


def commit_group(db: Database, rows: Sequence[BatchRow], beats: Sequence[Sighting]) -> None:
    """One group transaction: the heartbeats, then the events (in the writer thread or the writer process).

    In that order because on PostgreSQL the first publish holds the outbox's advisory lock until the commit: rows
    locked after it (the devices' heartbeats) deadlocked with API writes that lock a device, then publish.
    """
    now = utcnow()
    with db.unit_of_work() as session:
        if beats:
            device_health.seen(session, beats, now=now)
        publish_rows(session, rows)


@dataclass(slots=True)
class _Item:
    rows: list[BatchRow]
    heartbeats: Sequence[Heartbeat]
    done: Done | None
    loop: asyncio.AbstractEventLoop | None


class Sink:
    """The one writer of ingest events; `submit` is thread-safe and never blocks."""

    def __init__(self, db: Database, directory: Directory, metrics: IngestMetrics, *, max_batch: int = 2000,
                 heartbeat_every_s: float = 30.0, remote: GroupWriter | None = None) -> None:
        self._db = db
        self._remote = remote
        self._dialect = db.engine.dialect.name
        self._directory = directory
        self._metrics = metrics
        self._max_batch = max_batch
        self._heartbeat_every_s = heartbeat_every_s
        self._pending: list[_Item] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._beaten: dict[int, float] = {}  # device id → monotonic time its heartbeat was last written

    def start(self) -> None:
        if self._remote is not None:
            self._remote.start()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="ingest-writer", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Commit what is queued, then stop the writer."""
        self._stopping = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        if self._remote is not None:
            self._remote.stop()

    @property
    def dialect(self) -> str:
        """The database's dialect name: what `submit_rows` takes is written for it (see `batch_row`)."""
        return self._dialect

    def submit(self, events: Sequence[Event[Any]], *, heartbeats: Sequence[Heartbeat] = (), done: Done | None = None,
               loop: asyncio.AbstractEventLoop | None = None) -> None:
        """Queue one message's events; `done(None)` once committed, `done(error)` if they could not be.

        `done` runs on `loop` when one is given (adapters on asyncio), else on the writer thread.
        """
        self.submit_rows([batch_row(self._dialect, event) for event in events], heartbeats=heartbeats, done=done,
                         loop=loop)

    def submit_rows(self, rows: list[BatchRow], *, heartbeats: Sequence[Heartbeat] = (), done: Done | None = None,
                    loop: asyncio.AbstractEventLoop | None = None) -> None:
        """`submit` for events already made rows for `dialect` (by `batch_row` or `qorgau.ingest.rows`)."""
        if heartbeats:
            heartbeats = [beat for beat in heartbeats if self._beat_due(beat)]
        if not rows and not heartbeats:
            if done is not None:
                self._call(done, None, loop)
            return
        with self._lock:
            if self._stopping and self._thread is None:
                raise RuntimeError("the ingest writer is stopped")
            self._pending.append(_Item(rows, heartbeats, done, loop))
        # The writer clears the flag only under the lock and only with nothing pending, so a set flag here
        # means it will see this item; setting it again would cost a condition-variable round per message.
        if not self._wake.is_set():
            self._wake.set()

    async def commit(self, events: Sequence[Event[Any]], *, heartbeats: Sequence[Heartbeat] = ()) -> None:
        """Queue and wait until committed; raises what the commit raised."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()

        def done(error: BaseException | None) -> None:
            if future.done():
                return
            if error is None:
                future.set_result(None)
            else:
                future.set_exception(error)

        self.submit(events, heartbeats=heartbeats, done=done, loop=loop)
        await future

    def _beat_due(self, beat: Heartbeat) -> bool:
        # Writing every frame's heartbeat would double the writes; the registry only needs it well within the
        # supervision interval. A device the registry does not hold online, or a degraded report, always goes.
        if beat.status != Health.ONLINE or not self._directory.is_online(beat.device):
            return True
        last = self._beaten.get(beat.device.id)
        every = min(self._heartbeat_every_s, beat.device.supervision_interval_s / 4)
        return last is None or time.monotonic() - last >= every

    def _run(self) -> None:
        while True:
            # No timer: the group is whatever arrived while the last one committed (ADR 0048).
            self._wake.wait()
            with self._lock:
                batch, self._pending = self._pending[: self._max_batch], self._pending[self._max_batch:]
                if not self._pending and not self._stopping:
                    self._wake.clear()
                stop = self._stopping and not batch and not self._pending
            if stop:
                return
            if batch:
                self._write(batch)

    def _write(self, batch: list[_Item]) -> None:
        started = time.perf_counter()
        try:
            self._commit(batch)
        except Exception as exc:
            if len(batch) == 1:
                self._metrics.commit_failures.inc()
                log.error("ingest commit failed; the message stays unacknowledged", exc_info=exc)
                self._finish(batch, exc)
                return
            for item in batch:  # isolate the message that broke the group
                self._write([item])
            return
        self._metrics.batch_size.observe(sum(len(item.rows) for item in batch))
        self._metrics.commit_seconds.observe(time.perf_counter() - started)
        self._finish(batch, None)

    def _commit(self, batch: list[_Item]) -> None:
        rows = [row for item in batch for row in item.rows]
        beats = list({beat.device.id: _sighting(beat) for item in batch for beat in item.heartbeats}.values())
        if self._remote is not None:
            self._metrics.writer_seconds.observe(self._remote.commit(rows, beats))
        else:
            commit_rows(self._db, rows, beats)
        moment = time.monotonic()
        for beat in beats:
            self._beaten[beat.device_id] = moment

    def _finish(self, batch: list[_Item], error: BaseException | None) -> None:
        # One wake-up per event loop for the whole group, not one per message.
        by_loop: dict[asyncio.AbstractEventLoop, list[Done]] = {}
        for item in batch:
            if item.done is None:
                continue
            if item.loop is None:
                self._call(item.done, error, None)
            else:
                by_loop.setdefault(item.loop, []).append(item.done)
        for loop, dones in by_loop.items():
            if not loop.is_closed():
                loop.call_soon_threadsafe(_call_all, dones, error)

    @staticmethod
    def _call(done: Done, error: BaseException | None, loop: asyncio.AbstractEventLoop | None) -> None:
        if loop is None:
            try:
                done(error)
            except Exception:
                log.exception("ingest completion callback failed")
        elif not loop.is_closed():
            loop.call_soon_threadsafe(done, error)


def _call_all(dones: list[Done], error: BaseException | None) -> None:
    for done in dones:
        try:
            done(error)
        except Exception:
            log.exception("ingest completion callback failed")
