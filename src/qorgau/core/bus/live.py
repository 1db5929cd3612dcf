"""The live feed: every committed event, fanned out to connected screens as it arrives."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from qorgau.core.bus.transport import EventTransport
from qorgau.core.bus.types import Event
from qorgau.core.workers import cancel_all

log = logging.getLogger(__name__)
WAKE = ""  # put in a listener's queue to wake its sender; every real message is a JSON object


class Listener:
    """One connected client's queue of ready-to-send messages; if it falls too far behind it is told to reconnect.

    `prefixes` limits it to events whose names start with one of them (an alarm desk needs `alarms.`, not every
    device's signal); empty: every event.
    """

    def __init__(self, maxsize: int, prefixes: tuple[str, ...] = ()) -> None:
        self.queue: asyncio.Queue[str] = asyncio.Queue(maxsize=maxsize)
        self.lagged = asyncio.Event()
        self.prefixes = prefixes

    def wants(self, name: str) -> bool:
        return not self.prefixes or name.startswith(self.prefixes)

    def wake(self) -> None:
        """Wake the sender waiting on the queue (its client has gone): it gets WAKE, which is not a message."""
        with contextlib.suppress(asyncio.QueueFull):  # a full queue has no sender waiting on it
            self.queue.put_nowait(WAKE)


class LiveFeed:
    """Reads the transport from the head at start-up and copies each event to every listener."""

    def __init__(self, transport: EventTransport, *, queue_size: int = 2000) -> None:
        self.transport = transport
        self.queue_size = queue_size
        self._listeners: set[Listener] = set()
        self._task: asyncio.Task[None] | None = None
        self.last_seq = 0

    async def start(self) -> None:
        self.last_seq = await self.transport.head()
        self._task = asyncio.create_task(self._pump(), name="live-feed")

    async def stop(self) -> None:
        if self._task is not None:
            await cancel_all([self._task])

    def listen(self, prefixes: tuple[str, ...] = ()) -> Listener:
        listener = Listener(self.queue_size, prefixes)
        self._listeners.add(listener)
        return listener

    def forget(self, listener: Listener) -> None:
        self._listeners.discard(listener)

    async def _pump(self) -> None:
        while True:
            try:
                async for batch in self.transport.batches(self.last_seq):
                    for event in batch:
                        self._fan_out(event)
                    self.last_seq = batch[-1].seq
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("live feed read failed; retrying")
                await asyncio.sleep(1)

    def _fan_out(self, event: Event[Any]) -> None:
        message: str | None = None  # serialised once for every client that wants it
        for listener in list(self._listeners):
            if not listener.wants(event.name):
                continue
            if message is None:
                message = event.live_message()
            try:
                listener.queue.put_nowait(message)
            except asyncio.QueueFull:
                listener.lagged.set()
                self._listeners.discard(listener)
