"""How committed events reach readers: the interface, and the embedded outbox implementation.

A NATS JetStream transport implements the same interface (a relay moves outbox rows to
a stream, readers consume it); publishers do not change because they only write the outbox.
"""

from __future__ import annotations

import asyncio
import contextlib
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from qorgau.core.aio import within
from qorgau.core.bus import outbox
from qorgau.core.bus.types import Event
from qorgau.core.bus.wake import PostgresWake, SocketWake, WakeSource, socket_dir
from qorgau.core.db import Database
from qorgau.core.settings import CoreSettings


class EventTransport(ABC):
    """Delivers committed events, in commit order, to readers in this process."""

    @abstractmethod
    async def start(self) -> None: ...

    @abstractmethod
    async def stop(self) -> None: ...

    @abstractmethod
    async def head(self) -> int:
        """Sequence of the newest committed event."""

    @abstractmethod
    def batches(self, after: int) -> AsyncIterator[list[Event[Any]]]:
        """Every event with a sequence above ``after``, in order, in batches, forever."""


WAKE_SETTLE_S = 0.003
READ_THREADS = 2  # readers at different places (a subscriber behind the live feed) read side by side
T = TypeVar("T")


class OutboxTransport(EventTransport):
    """Reads the outbox table; a wake-up source avoids polling latency, polling covers lost wake-ups."""

    def __init__(self, db: Database, wake: WakeSource, *, poll_interval: float, batch: int = 500) -> None:
        self.db = db
        self.wake = wake
        self.poll_interval = poll_interval
        self.batch = batch
        self._reads: dict[int, asyncio.Future[list[Event[Any]]]] = {}
        # Reads get threads of their own: in the loop's default pool they queued behind the subscribers' work (a
        # burst's handling takes a pool thread for hundreds of milliseconds each), and the live feed waited.
        self._executor: ThreadPoolExecutor | None = None

    async def start(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=READ_THREADS, thread_name_prefix="outbox-read")
        await self.wake.start()

    async def stop(self) -> None:
        await self.wake.stop()
        if self._executor is not None:
            # Wait for a read in flight (they are short): its connection goes back to the pool, not to the collector.
            await asyncio.to_thread(self._executor.shutdown, wait=True, cancel_futures=True)
            self._executor = None

    async def _in_thread(self, call: Callable[[], T]) -> T:
        if self._executor is None:  # not started (a head() before start): the loop's pool will do
            return await asyncio.to_thread(call)
        return await asyncio.get_running_loop().run_in_executor(self._executor, call)

    async def head(self) -> int:
        return await self._in_thread(self._head)

    def _head(self) -> int:
        with self.db.reading() as session:
            return outbox.head(session)

    def _read(self, after: int) -> list[Event[Any]]:
        with self.db.reading() as session:
            return outbox.read_after(session, after, limit=self.batch)

    async def _shared_read(self, after: int) -> list[Event[Any]]:
        """One database read for every reader of this process that is at the same place (the live feed and
        the subscribers usually are): a wake-up then costs one query, not one per reader."""
        pending = self._reads.get(after)
        if pending is None:
            pending = asyncio.ensure_future(self._in_thread(lambda: self._read(after)))
            self._reads[after] = pending
            pending.add_done_callback(lambda _: self._reads.pop(after, None))
        return await asyncio.shield(pending)

    async def batches(self, after: int) -> AsyncIterator[list[Event[Any]]]:
        flag = self.wake.listener()
        try:
            while True:
                flag.clear()
                events = await self._shared_read(after)
                if events:
                    after = events[-1].seq
                    yield events
                    if len(events) == self.batch:
                        continue
                with contextlib.suppress(TimeoutError):
                    await within(flag.wait(), self.poll_interval)
                    # Commits come in bursts (the ingest, the subscribers): let the burst finish, read once.
                    await asyncio.sleep(WAKE_SETTLE_S)
        finally:
            self.wake.forget(flag)


def make_transport(settings: CoreSettings, db: Database) -> EventTransport:
    """The transport the settings ask for (``auto`` follows the database)."""
    kind = settings.event_transport
    wake = _wake(kind if kind != "jetstream" else "auto", settings, db)
    if kind == "jetstream":  # the local wake-up as `auto`, plus the relay and cross-node wake-ups (jetstream.py)
        from qorgau.core.bus.jetstream import JetStreamWake

        wake = JetStreamWake(wake, db, url=settings.nats_url, stream=settings.jetstream_stream,
                             poll_interval=settings.event_poll_interval_s, credentials=settings.nats_credentials_file)
    return OutboxTransport(db, wake, poll_interval=settings.event_poll_interval_s)


def _wake(kind: str, settings: CoreSettings, db: Database) -> WakeSource:
    if kind == "auto":
        kind = "socket" if db.is_sqlite else "postgres"
    if kind == "poll":
        return WakeSource()
    if kind == "postgres":
        if db.is_sqlite:
            raise ValueError("the postgres event transport needs a PostgreSQL database")
        return PostgresWake(db.url)
    return SocketWake(socket_dir(settings.run_dir))
