"""The SIA DC-09 receiver: TCP and UDP listeners whose ACKs are sent only after the frame's events commit.

Each TCP connection answers its frames in the order they came, whatever order their commits finish in; a
connection that keeps sending without reading its answers is paused, not buffered without bound.

Only progress keeps a connection open: a complete frame from a registered panel that the receiver accepts (an
event, a retransmission, a link test). Junk, bad CRCs, unknown accounts and stale timestamps never renew its idle
clock; a connection that sends anything and makes no progress within PARTIAL_FRAME_TIMEOUT_S, or gets
MAX_STRIKES rejections in a row, is closed, each close counted by reason. A share of the connection slots is kept
for addresses that have made progress before (`dc09_reserved_connections`).
"""

from __future__ import annotations

import asyncio
import logging
import socket
from asyncio.trsock import TransportSocket
from collections import deque
from typing import cast

from qorgau.core.workers import cancel_all
from qorgau.ingest.adapters.sia_dc09.config import Dc09Settings
from qorgau.ingest.adapters.sia_dc09.receiver import ADAPTER, Receiver, Record
from qorgau.ingest.adapters.sia_dc09.tls import TLS_HANDSHAKE_TIMEOUT_S, server_context
from qorgau.ingest.config import IngestSettings
from qorgau.ingest.hub import IngestHub
from qorgau.protocols.dc09.parser import FrameSplitter, RawFrame

log = logging.getLogger(__name__)

PARTIAL_FRAME_TIMEOUT_S = 30.0  # input that makes no progress for this long is a slow-loris, not a panel
MAX_STRIKES = 16  # rejected frames or junk in a row, with no progress between, before the connection is closed
MAX_PANEL_SOURCES = 100_000  # addresses remembered as panels' (each a short string); beyond it, none are added
PAUSE_AT = 64  # unanswered frames on one connection before reading pauses
RESUME_AT = 8
MAX_UDP_SOURCES = 100_000
_WAITING = object()


class _Bucket:
    """Token bucket: `rate` frames per second with a burst of one second's worth."""

    __slots__ = ("at", "rate", "tokens")

    def __init__(self, rate: float, now: float) -> None:
        self.rate, self.tokens, self.at = rate, rate, now

    def take(self, now: float) -> bool:
        self.tokens = min(self.rate, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


class _PanelConnection(asyncio.Protocol):
    def __init__(self, adapter: Dc09Adapter) -> None:
        self.adapter = adapter
        self.receiver = adapter.receiver
        self.loop = asyncio.get_running_loop()
        self.splitter = FrameSplitter()
        self.transport: asyncio.Transport | None = None
        self.slots: deque[list[object]] = deque()
        self.paused = False
        now = self.loop.time()
        self.bucket = _Bucket(adapter.settings.dc09_max_frames_per_s, now)
        self.progress_at = now  # the last accepted frame (or the connection's start): the idle clock
        self.doubt_since: float | None = None  # first input since then that has not (yet) made progress
        self.strikes = 0  # rejections since the last progress
        self.proven = False  # has made progress at least once
        self.source = ""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        transport = cast(asyncio.Transport, transport)
        peer = transport.get_extra_info("peername")
        self.source = str(peer[0]) if peer else ""
        adapter, settings = self.adapter, self.adapter.settings
        open_now = len(adapter.connections)
        if open_now >= settings.dc09_max_connections:
            adapter.hub.metrics.reject(ADAPTER, "too_many_connections")
            transport.abort()
            return
        if (open_now >= settings.dc09_max_connections - settings.dc09_reserved_connections
                and self.source not in adapter.panel_sources):
            adapter.hub.metrics.reject(ADAPTER, "reserved_for_panels")
            transport.abort()
            return
        self.transport = transport
        self.adapter.connections.add(self)
        self.adapter.hub.metrics.connections.labels(ADAPTER).inc()

    def connection_lost(self, exc: Exception | None) -> None:
        if self in self.adapter.connections:
            self.adapter.connections.discard(self)
            self.adapter.hub.metrics.connections.labels(ADAPTER).dec()
        self.transport = None

    def data_received(self, data: bytes) -> None:
        now = self.loop.time()
        metrics = self.adapter.hub.metrics
        progress = False
        for item in self.splitter.feed(data):
            if not isinstance(item, RawFrame):
                metrics.reject(ADAPTER, item.reason)
                self.strikes += 1
                continue
            if not self.bucket.take(now):
                metrics.reject(ADAPTER, "rate_limited")  # a panel's burst: neither progress nor a strike
                continue
            decision = self.receiver.handle(item)
            if isinstance(decision, Record):
                progress = True
                self.strikes = 0
            else:
                self.strikes += 1  # silence, DUH or NAK: the receiver turned it down
            self._answer(decision)
        if progress:
            self.progress_at = now
            self.doubt_since = now if self.splitter.pending or self.strikes else None
            if not self.proven:
                self.proven = True
                self._remember_source()
        elif self.doubt_since is None:
            self.doubt_since = now
        if self.strikes >= MAX_STRIKES and self.transport is not None and not self.transport.is_closing():
            metrics.reject(ADAPTER, "too_many_rejections")
            self.transport.close()
        if len(self.slots) >= PAUSE_AT and not self.paused and self.transport is not None:
            self.paused = True
            self.transport.pause_reading()

    def _answer(self, decision: bytes | Record | None) -> None:
        if decision is None:
            return
        if isinstance(decision, bytes):
            self.slots.append([decision])
            self._flush()
            return
        slot: list[object] = [_WAITING]
        self.slots.append(slot)
        record = decision

        def done(error: BaseException | None) -> None:
            if error is None:
                self.receiver.committed(record)
                slot[0] = record.ack
            else:
                slot[0] = None  # not durable: stay silent so the panel sends it again
            self._flush()

        self.adapter.hub.sink.submit_rows(record.rows, heartbeats=record.heartbeats, done=done, loop=self.loop)

    def _flush(self) -> None:
        slots = self.slots
        while slots and slots[0][0] is not _WAITING:
            answer = slots.popleft()[0]
            if isinstance(answer, bytes) and self.transport is not None and not self.transport.is_closing():
                self.transport.write(answer)
        if self.paused and len(slots) <= RESUME_AT and self.transport is not None:
            self.paused = False
            self.transport.resume_reading()

    def _remember_source(self) -> None:
        sources = self.adapter.panel_sources
        if self.source and len(sources) < MAX_PANEL_SOURCES:
            sources.add(self.source)

    def idle(self, now: float) -> str | None:
        """Why this connection should be closed now, if it should."""
        if now - self.progress_at > self.adapter.settings.dc09_idle_timeout_s:
            return "idle_timeout"
        if self.doubt_since is not None and now - self.doubt_since > PARTIAL_FRAME_TIMEOUT_S:
            return "partial_frame_timeout" if self.splitter.pending else "no_progress"
        return None


class _PanelDatagrams(asyncio.DatagramProtocol):
    def __init__(self, adapter: Dc09Adapter) -> None:
        self.adapter = adapter
        self.loop = asyncio.get_running_loop()
        self.transport: asyncio.DatagramTransport | None = None
        self.buckets: dict[object, _Bucket] = {}

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str | object, ...]) -> None:
        now = self.loop.time()
        metrics = self.adapter.hub.metrics
        source = addr[0]
        bucket = self.buckets.get(source)
        if bucket is None:
            if len(self.buckets) >= MAX_UDP_SOURCES:
                self.buckets.clear()  # forget old sources rather than grow without bound
            bucket = self.buckets[source] = _Bucket(self.adapter.settings.dc09_max_frames_per_s, now)
        # Each datagram stands alone: a fresh splitter, so a lost datagram cannot corrupt the next one.
        for item in FrameSplitter().feed(data):
            if not isinstance(item, RawFrame):
                metrics.reject(ADAPTER, item.reason)
            elif not bucket.take(now):
                metrics.reject(ADAPTER, "rate_limited")
            else:
                self._answer(self.adapter.receiver.handle(item), addr)

    def _answer(self, decision: bytes | Record | None, addr: tuple[str | object, ...]) -> None:
        if decision is None or self.transport is None:
            return
        if isinstance(decision, bytes):
            self.transport.sendto(decision, addr)
            return
        record = decision

        def done(error: BaseException | None) -> None:
            if error is None:
                self.adapter.receiver.committed(record)
                if self.transport is not None and not self.transport.is_closing():
                    self.transport.sendto(record.ack, addr)

        self.adapter.hub.sink.submit_rows(record.rows, heartbeats=record.heartbeats, done=done, loop=self.loop)


class Dc09Adapter:
    name = ADAPTER

    def __init__(self, settings: Dc09Settings) -> None:
        self.settings = settings
        self.connections: set[_PanelConnection] = set()
        # Addresses that sent an accepted frame since the receiver started: the reserved slots are theirs.
        self.panel_sources: set[str] = set()
        self.tcp_port = 0
        self.udp_port = 0
        self._server: asyncio.Server | None = None
        self._tls_server: asyncio.Server | None = None
        self.tls_port = 0
        self._udp: asyncio.DatagramTransport | None = None
        self.datagrams: _PanelDatagrams | None = None  # the UDP side, while running
        self.udp_socket: TransportSocket | None = None
        self._reaper: asyncio.Task[None] | None = None

    async def start(self, hub: IngestHub) -> None:
        self.hub = hub
        self.receiver = Receiver(hub)
        # Before listening: a panel that resends the frame whose ACK a restart swallowed must meet the window.
        recalled = await asyncio.to_thread(self.receiver.recall)
        loop = asyncio.get_running_loop()
        host = self.settings.ingest_host
        self._server = await loop.create_server(lambda: _PanelConnection(self), host, self.settings.dc09_tcp_port,
                                                reuse_address=True, backlog=1024)
        self.tcp_port = self._server.sockets[0].getsockname()[1]
        if (pair := self.settings.dc09_tls_pair) is not None:  # the same protocol, inside TLS, on its own port
            self._tls_server = await loop.create_server(
                lambda: _PanelConnection(self), host, self.settings.dc09_tls_port, reuse_address=True, backlog=1024,
                ssl=server_context(*pair), ssl_handshake_timeout=TLS_HANDSHAKE_TIMEOUT_S)
            self.tls_port = self._tls_server.sockets[0].getsockname()[1]
        udp_port = self.settings.dc09_udp_port
        transport, self.datagrams = await loop.create_datagram_endpoint(lambda: _PanelDatagrams(self),
                                                                        local_addr=(host, udp_port))
        self._udp = transport
        self.udp_port = transport.get_extra_info("sockname")[1]
        self.udp_socket = udp_socket = transport.get_extra_info("socket")
        if self.settings.dc09_udp_receive_buffer_bytes:
            # A flood fills this buffer while the loop is busy; what overflows it the kernel drops, and counts.
            udp_socket.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.settings.dc09_udp_receive_buffer_bytes)
        hub.metrics.watch_udp(ADAPTER, udp_socket)
        self._reaper = asyncio.create_task(self._reap_idle(), name="dc09-idle-reaper")
        log.info("DC-09 receiver listening", extra={"host": host, "tcp_port": self.tcp_port,
                                                    "udp_port": self.udp_port, "recalled_frames": recalled})

    async def _reap_idle(self) -> None:
        loop = asyncio.get_running_loop()
        every = min(5.0, self.settings.dc09_idle_timeout_s / 4)
        while True:
            await asyncio.sleep(every)
            now = loop.time()
            for connection in list(self.connections):
                reason = connection.idle(now)
                if reason is not None and connection.transport is not None:
                    self.hub.metrics.reject(ADAPTER, reason)
                    connection.transport.close()

    async def stop(self) -> None:
        if self._reaper is not None:
            await cancel_all([self._reaper])
        for server in (self._server, self._tls_server):
            if server is not None:
                server.close()
        for connection in list(self.connections):
            if connection.transport is not None:
                connection.transport.abort()
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None
        if self._tls_server is not None:
            await self._tls_server.wait_closed()
            self._tls_server = None
        if self._udp is not None:
            self.hub.metrics.watch_udp(ADAPTER, None)
            self._udp.close()
            self._udp = None
            self.udp_socket = None
            self.datagrams = None


def create(settings: IngestSettings) -> Dc09Adapter | None:
    dc09 = settings.part(Dc09Settings)
    return Dc09Adapter(dc09) if dc09.dc09_enabled else None
