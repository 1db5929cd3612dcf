"""The alarm panels of the social objects as SIA DC-09 transmitters over TCP, one connection each.

Each panel sends its messages in order through its own queue, as a real panel's communicator does: a message
that gets no ACK is sent again (the transmitter's retransmissions), then retried with backoff until the receiver
takes it, so nothing is lost while Qorgau restarts. Link tests (NULL) go at a third of the supervision interval,
unless the panel is in an outage, when it is silent — which is how the registry learns it is offline.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Sequence

from qorgau.core.aio import within
from qorgau.core.workers import cancel_all
from qorgau.protocols.dc09.transmitter import (
    Message,
    PanelConfig,
    Transmitter,
    contact_id,
    link_test,
    location,
)
from qorgau.simulator.stats import Stats
from qorgau.simulator.world import Device

log = logging.getLogger(__name__)

RETRY_FOR_S = 300.0  # a panel keeps trying this long before it gives a message up (counted as failed)


class PanelLink:
    """One panel: a transmitter, its outbox and its supervision timer."""

    def __init__(self, device: Device, host: str, port: int, *, key: bytes | None, stats: Stats,
                 phase_s: float) -> None:
        if device.dc09 is None:
            raise ValueError(f"{device.code} has no DC-09 identifier")
        receiver, line, account = device.dc09
        self.device = device
        self.account = account
        self.stats = stats
        self.silent_until = 0.0  # time.monotonic() until which the panel is cut off
        self._phase_s = phase_s
        self._outbox: asyncio.Queue[tuple[Message, str]] = asyncio.Queue()
        self._transmitter = Transmitter(host, port, PanelConfig(account=account, prefix=line, receiver=receiver,
                                                                key=key, ack_timeout_s=5.0, retries=2))
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._send_loop()), asyncio.create_task(self._supervise())]

    async def stop(self) -> None:
        await cancel_all(self._tasks)
        await self._transmitter.close()

    def event(self, code: int, zone: int, qualifier: int = 1) -> None:
        """Queue a Contact ID event, with the panel's position as extended data."""
        message = contact_id(self.account, code, zone, qualifier=qualifier).extend(
            location(self.device.lon, self.device.lat))
        self._outbox.put_nowait((message, f"cid-{code}"))

    def cut(self, seconds: float) -> None:
        """An outage: the panel goes silent (its queued messages wait) for ``seconds``."""
        self.silent_until = time.monotonic() + seconds

    @property
    def silent(self) -> bool:
        return time.monotonic() < self.silent_until

    async def _supervise(self) -> None:
        interval = max(10.0, self.device.supervision_s / 3)
        await asyncio.sleep(self._phase_s % interval)
        while True:
            if not self.silent and self._outbox.empty():
                self._outbox.put_nowait((link_test(), "link-test"))
            await asyncio.sleep(interval)

    async def _send_loop(self) -> None:
        while True:
            message, label = await self._outbox.get()
            try:
                await self._deliver(message, label)
            finally:
                self._outbox.task_done()

    async def drain(self) -> None:
        """Until every queued message is delivered (or given up)."""
        await self._outbox.join()

    async def _deliver(self, message: Message, label: str) -> None:
        deadline = time.monotonic() + RETRY_FOR_S
        delay = 1.0
        sequence: int | None = None
        while True:
            while self.silent:
                await asyncio.sleep(min(5.0, self.silent_until - time.monotonic() + 0.05))
            first = sequence is None
            if first:
                sequence = self._transmitter.sequence  # what send() is about to use: kept for the retries
            try:
                result = await self._transmitter.send(message, sequence=None if first else sequence)
            except OSError as exc:
                error = f"{exc.__class__.__name__}: {exc}"
                await self._transmitter.close()
            else:
                if result.acknowledged:
                    self.stats["dc09"].ok(result.latency_s)
                    self.stats.count(label)
                    return
                error = f"{result.outcome}"
            if time.monotonic() > deadline:
                log.warning("panel %s gave up a message: %s", self.device.code, error)
                self.stats["dc09"].fail(error)
                return
            await asyncio.sleep(delay)
            delay = min(delay * 2, 15.0)


class PanelFleet:
    """Every simulated panel, keyed by device code."""

    def __init__(self, panels: Sequence[Device], host: str, port: int, *, keys: dict[str, bytes], stats: Stats,
                 seed: int) -> None:
        rng = random.Random(f"qorgau-sim-panels:{seed}")
        self.links = {p.code: PanelLink(p, host, port, key=keys.get(p.code), stats=stats,
                                        phase_s=rng.uniform(0, 3600)) for p in panels if p.dc09 is not None}

    def start(self) -> None:
        for link in self.links.values():
            link.start()

    async def stop(self) -> None:
        await asyncio.gather(*(link.stop() for link in self.links.values()))

    def event(self, code: str, cid: int, zone: int, qualifier: int = 1) -> None:
        self.links[code].event(cid, zone, qualifier)

    def cut(self, code: str, seconds: float) -> None:
        self.links[code].cut(seconds)

    async def drain(self, timeout_s: float) -> None:
        """Until the panels on the line have sent what they queued (a panel in an outage keeps its messages)."""
        talking = [link.drain() for link in self.links.values() if not link.silent]
        with contextlib.suppress(TimeoutError):
            await within(asyncio.gather(*talking), timeout_s)

    def outages(self) -> int:
        return sum(1 for link in self.links.values() if link.silent)

