"""The JetStream relay: committed outbox events go, once each, to a NATS JetStream stream; the stream wakes readers.

The outbox stays the record and the readers keep reading it (order, idempotence and recovery do not change); what
JetStream adds is a copy of every committed event that other nodes and systems can consume durably, and a wake-up
that crosses machines. The relay publishes in sequence order with the event id as `Nats-Msg-Id`, so the stream
drops a repeat within its duplicate window (a relay that died between publishing and recording its cursor, or the
relays of several nodes publishing the same rows); after a longer gap it resumes after the last sequence the stream
holds (`Qorgau-Seq`), so an event never enters the stream twice. Its cursor (`jetstream-relay`) is an ordinary
subscriber cursor: outbox retention never prunes what has not been relayed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qorgau.core.aio import within
from qorgau.core.bus import outbox
from qorgau.core.bus.models import EventCursor
from qorgau.core.bus.types import Event
from qorgau.core.bus.wake import WakeSource
from qorgau.core.db import Database
from qorgau.core.time import utcnow
from qorgau.core.workers import cancel_all

if TYPE_CHECKING:
    from nats.aio.client import Client
    from nats.js import JetStreamContext
    from nats.js.api import PubAck

log = logging.getLogger(__name__)
RELAY_CURSOR = "jetstream-relay"
SEQ_HEADER = "Qorgau-Seq"
DUPLICATE_WINDOW_S = 120.0
PUBLISH_TIMEOUT_S = 5.0
RETRY_MAX_S = 10.0


def subject_prefix(stream: str) -> str:
    return stream.lower()


class JetStreamRelay:
    """Moves committed events after its cursor to the stream, in order, and records how far it got."""

    def __init__(self, db: Database, js: JetStreamContext, stream: str, *, batch: int = 500) -> None:
        self.db, self.js, self.stream, self.batch = db, js, stream, batch
        self.prefix = subject_prefix(stream)

    async def ensure_stream(self) -> None:
        from nats.js.errors import NotFoundError

        try:
            await self.js.stream_info(self.stream)
        except NotFoundError:
            await self.js.add_stream(name=self.stream, subjects=[f"{self.prefix}.>"],
                                     duplicate_window=DUPLICATE_WINDOW_S)

    async def _stream_last(self) -> tuple[int, str | None]:
        """The outbox sequence and event id of the last event the stream holds ((0, None) when empty)."""
        info = await self.js.stream_info(self.stream)
        if not info.state.last_seq:
            return 0, None
        last = await self.js.get_msg(self.stream, seq=info.state.last_seq)
        headers = last.headers or {}
        return int(headers.get(SEQ_HEADER, 0)), headers.get("Nats-Msg-Id")

    async def start_point(self) -> tuple[int, str | None]:
        """Where to continue (after the cursor, or after what the stream holds if that is further), and the id of
        the stream's last event, which the next publish expects to follow."""
        cursor = await asyncio.to_thread(self._cursor)
        last_seq, last_id = await self._stream_last()
        return max(cursor, last_seq), last_id

    async def relay_once(self) -> int:
        """Publish everything committed after the start point; returns how many events were new to the stream.

        A batch is published pipelined (every publish in flight at once: one round trip per batch, not per event),
        each expecting the previous event as the stream's last message (`Nats-Expected-Last-Msg-Id`). The stream
        refuses an event whose predecessor is missing, so after a failure it still holds a gap-free prefix of the
        outbox and the relay resumes after its last event; a repeat is dropped by `Nats-Msg-Id` before that check.
        """
        (after, previous), added = await self.start_point(), 0
        while True:
            events = await asyncio.to_thread(self._read, after)
            if not events:
                return added
            acks = await asyncio.gather(*(self._publish(event, previous if i == 0 else str(events[i - 1].id))
                                          for i, event in enumerate(events)), return_exceptions=True)
            done = 0
            for ack in acks:
                if isinstance(ack, BaseException):
                    break
                done += 1
                added += 0 if ack.duplicate else 1
            if done:
                after, previous = events[done - 1].seq, str(events[done - 1].id)
                await asyncio.to_thread(self._advance, after)
            if done < len(events):
                failure = next(ack for ack in acks if isinstance(ack, BaseException))
                raise failure

    async def _publish(self, event: Event[Any], previous: str | None) -> PubAck:
        headers = {"Nats-Msg-Id": str(event.id), SEQ_HEADER: str(event.seq)}
        if previous is not None:
            headers["Nats-Expected-Last-Msg-Id"] = previous
        return await self.js.publish(f"{self.prefix}.{event.name}",
                                     json.dumps(event.to_json(), ensure_ascii=False).encode(),
                                     timeout=PUBLISH_TIMEOUT_S, stream=self.stream, headers=headers)

    def _read(self, after: int) -> list[Event[Any]]:
        with self.db.reading() as session:
            return outbox.read_after(session, after, limit=self.batch)

    def _cursor(self) -> int:
        """The relay's cursor; a new relay starts at the head (events before JetStream was turned on stay local)."""
        with self.db.unit_of_work() as session:
            cursor = session.get(EventCursor, RELAY_CURSOR)
            if cursor is None:
                cursor = EventCursor(subscriber=RELAY_CURSOR, last_seq=outbox.head(session), updated_at=utcnow())
                session.add(cursor)
            return cursor.last_seq

    def _advance(self, seq: int) -> None:
        with self.db.unit_of_work() as session:
            cursor = session.get(EventCursor, RELAY_CURSOR)
            if cursor is not None and cursor.last_seq < seq:
                cursor.last_seq, cursor.updated_at = seq, utcnow()


class JetStreamWake(WakeSource):
    """Wakes this process's readers on a local commit (the usual wake-up) or on any event entering the stream (a
    commit on another node), and runs the relay after local commits. Without NATS the local wake-ups go on and the
    relay retries, so a NATS outage never stops this node."""

    def __init__(self, local: WakeSource, db: Database, *, url: str, stream: str, poll_interval: float,
                 credentials: Path | None = None) -> None:
        super().__init__()
        self.local, self.db, self.url, self.stream, self.poll_interval = local, db, url, stream, poll_interval
        self.credentials = credentials
        self.client: Client | None = None
        self.relay: JetStreamRelay | None = None
        self._due = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self.relayed = 0

    async def start(self) -> None:
        await self.local.start()
        self._tasks = [asyncio.create_task(self._forward(self.local.listener()), name="jetstream-forward"),
                       asyncio.create_task(self._run_relay(), name="jetstream-relay")]

    async def stop(self) -> None:
        await cancel_all(self._tasks)
        self._tasks = []
        if self.client is not None:
            with contextlib.suppress(Exception):
                await within(self.client.close(), 5)
            self.client = None
        await self.local.stop()

    async def _forward(self, flag: asyncio.Event) -> None:
        while True:
            await flag.wait()
            flag.clear()
            self.bump()
            self._due.set()

    async def _connect(self) -> JetStreamRelay:
        import nats

        async def woken(_: Any) -> None:
            self.bump()

        client = await nats.connect(self.url.split(","), name="qorgau", max_reconnect_attempts=-1,
                                    reconnect_time_wait=1, connect_timeout=5, allow_reconnect=True,
                                    user_credentials=str(self.credentials) if self.credentials else None)
        self.client = client
        await client.subscribe(f"{subject_prefix(self.stream)}.>", cb=woken)
        relay = JetStreamRelay(self.db, client.jetstream(), self.stream)
        await relay.ensure_stream()
        return relay

    async def _run_relay(self) -> None:
        delay = 0.5
        while True:
            try:
                if self.relay is None:
                    self.relay = await self._connect()
                self.relayed += await self.relay.relay_once()
                delay = 0.5
                with contextlib.suppress(TimeoutError):
                    await within(self._due.wait(), self.poll_interval)
                self._due.clear()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # NATS down or slow: the outbox keeps everything, retry from the cursor
                log.warning("jetstream relay failed (%s); retrying in %.1fs", type(exc).__name__, delay)
                if self.relay is None and self.client is not None:
                    with contextlib.suppress(Exception):
                        await self.client.close()
                    self.client = None
                await asyncio.sleep(delay)
                delay = min(delay * 2, RETRY_MAX_S)
