"""The SIP listener for SOS terminals: UDP and TCP sockets on one port, feeding the user agent server."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import socket
from collections.abc import Callable
from typing import cast

from qorgau.core.aio import within
from qorgau.ingest.adapters.sip.config import SipConfig, SipSettings
from qorgau.ingest.adapters.sip.hooks import CallHooks
from qorgau.ingest.adapters.sip.transactions import Peer
from qorgau.ingest.adapters.sip.uas import NAME, Uas
from qorgau.ingest.config import IngestSettings
from qorgau.ingest.hub import IngestHub
from qorgau.protocols.sip.parser import Framer, SipParseError

log = logging.getLogger(__name__)
UDP_RECEIVE_BUFFER = 4 * 1024 * 1024  # the kernel caps it at net.core.rmem_max


class _Datagrams(asyncio.DatagramProtocol):
    def __init__(self, adapter: SipAdapter) -> None:
        self._adapter = adapter
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)  # what a datagram endpoint gets

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        uas, transport = self._adapter.uas, self.transport
        if uas is None or transport is None:
            return
        source = (str(addr[0]), int(addr[1]))

        def send(payload: bytes, _transport: asyncio.DatagramTransport = transport) -> None:
            _transport.sendto(payload, source)

        try:
            uas.datagram(data, Peer("udp", source, send))
        except Exception:
            # One bad datagram must never stop the listener.
            uas.hub.metrics.reject(NAME, "internal_error")
            log.exception("SIP datagram handling failed")

    def error_received(self, exc: Exception) -> None:
        log.debug("SIP UDP error", exc_info=exc)


class SipAdapter:
    """Accepts SIP calls from SOS terminals over UDP and TCP (see docs/sip.md)."""

    name = NAME

    def __init__(self, config: SipConfig, hooks: CallHooks | None = None,
                 uas: Callable[[IngestHub, SipConfig, CallHooks | None], Uas] = Uas) -> None:
        self.config = config
        self.hooks = hooks
        self._make_uas = uas  # another UAS on the same sockets' code (the voice process's 102 trunk)
        self.port: int = config.port
        self.uas: Uas | None = None
        self._udp: asyncio.DatagramTransport | None = None
        self._tcp: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()

    @property
    def connections(self) -> int:
        return len(self._connections)

    async def start(self, hub: IngestHub) -> None:
        self.uas = self._make_uas(hub, self.config, self.hooks)
        self.uas.store.start()
        loop = asyncio.get_running_loop()
        for _attempt in range(20):
            transport, _ = await loop.create_datagram_endpoint(lambda: _Datagrams(self),
                                                               local_addr=(self.config.host, self.config.port))
            port = int(transport.get_extra_info("sockname")[1])
            sock = transport.get_extra_info("socket")
            if sock is not None:
                # Room for bursts (many terminals at once, or a flood) so fewer datagrams die in the kernel.
                with contextlib.suppress(OSError):
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, UDP_RECEIVE_BUFFER)
            try:
                self._tcp = await asyncio.start_server(self._connection, self.config.host, port,
                                                       limit=self.config.max_message_bytes, reuse_address=True)
            except OSError as exc:
                transport.close()
                if self.config.port != 0 or exc.errno != errno.EADDRINUSE:
                    raise
                continue  # the free UDP number is taken on TCP: pick another
            self._udp, self.port = transport, port
            self.uas.port = port
            break
        else:
            raise OSError(errno.EADDRINUSE, "no port free for both UDP and TCP")
        log.info("SIP listener started", extra={"host": self.config.host, "port": self.port})

    def sendto(self, data: bytes, address: tuple[str, int]) -> None:
        """Send from the listener's UDP socket, so responses to requests the host placed itself come back here."""
        if self._udp is not None:
            self._udp.sendto(data, address)

    async def stop(self) -> None:
        if self._tcp is not None:
            self._tcp.close()
        for task in list(self._connections):
            task.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)
        if self._tcp is not None:
            await self._tcp.wait_closed()
            self._tcp = None
        if self._udp is not None:
            self._udp.close()
            self._udp = None
        if self.uas is not None:
            await self.uas.stop()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        uas = self.uas
        if task is None or uas is None or len(self._connections) >= self.config.max_tcp_connections:
            if uas is not None:
                uas.hub.metrics.reject(NAME, "too_many_connections")
            writer.close()
            return
        self._connections.add(task)
        metrics = uas.hub.metrics
        metrics.connections.labels(NAME).inc()
        peer_name = writer.get_extra_info("peername")
        source = (str(peer_name[0]), int(peer_name[1]))

        def send(payload: bytes) -> None:
            if not writer.is_closing():
                writer.write(payload)

        peer = Peer("tcp", source, send)
        framer = Framer(self.config.max_message_bytes)
        try:
            await self._serve(uas, reader, writer, framer, peer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            metrics.connections.labels(NAME).dec()
            self._connections.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _serve(self, uas: Uas, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, framer: Framer,
                     peer: Peer) -> None:
        while True:
            # Idle connections get the long timeout; a message begun must finish quickly (slow-loris).
            timeout = self.config.tcp_message_timeout_s if framer.pending else self.config.tcp_idle_timeout_s
            try:
                data = await within(reader.read(16384), timeout)
            except TimeoutError:
                uas.hub.metrics.reject(NAME, "tcp_timeout" if framer.pending else "tcp_idle")
                return
            if not data:
                return
            pings = framer.keepalives
            try:
                messages = framer.feed(data)
            except SipParseError as exc:
                uas.malformed(exc, peer)
                await writer.drain()
                return  # the stream cannot be re-synchronised
            if framer.keepalives > pings:
                peer.send(b"\r\n")  # pong (RFC 5626 §4.4.1)
            for message in messages:
                if not uas.allow(peer.address):
                    continue
                try:
                    uas.handle(message, peer)
                except Exception:
                    uas.hub.metrics.reject(NAME, "internal_error")
                    log.exception("SIP message handling failed")
            await writer.drain()


def create(settings: IngestSettings) -> SipAdapter | None:
    """The adapter as the settings configure it, or None when SIP is switched off."""
    sip = settings.part(SipSettings)
    if not sip.sip_enabled:
        return None
    return SipAdapter(SipConfig.from_settings(sip))

