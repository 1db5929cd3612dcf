"""The subscriber's link to the broker: one thread that connects, reads, writes, pings and reconnects.

Every socket operation happens on that thread. Other threads (the ingest writer acknowledging a committed group)
only append bytes to the outgoing buffer and poke the thread through a pipe, once per flush rather than once per
message, so a group's PUBACKs leave in one write. Bytes queued for a connection that has since been replaced are
dropped: the broker may have given their packet ids to other messages on the new one.
"""

from __future__ import annotations

import contextlib
import os
import select
import socket
import ssl
import threading
import time
from typing import Protocol

from qorgau.ingest.adapters.mqtt.config import MqttConfig
from qorgau.protocols.mqtt import wire

READ_BYTES = 256 * 1024
CONNECT_TIMEOUT_S = 10.0
TICK_S = 1.0  # how often an idle connection checks its keep-alive


class Refused(ConnectionError):
    """The broker answered CONNACK with a failure reason code."""

    def __init__(self, code: int) -> None:
        super().__init__(f"broker refused the connection (reason code 0x{code:02x})")
        self.code = code


class Handler(Protocol):
    """What the connection reports; every call comes from the connection's thread."""

    def connected(self, generation: int, session_present: bool) -> None: ...

    def subscribed(self, reason_codes: list[int]) -> None: ...

    def message(self, generation: int, publish: wire.Publish) -> None: ...

    def disconnected(self, reason: str) -> None: ...

    def connect_failed(self, reason: str) -> None: ...


class Connection:
    """A persistent-session MQTT 5 connection, kept up until `stop`."""

    def __init__(self, config: MqttConfig, handler: Handler) -> None:
        self._config = config
        self._handler = handler
        self._lock = threading.Lock()
        self._out = bytearray()
        self._generation = 0
        self._poked = False
        self._drop = False
        self._stopping = threading.Event()
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_w, False)
        self._thread: threading.Thread | None = None
        self._thread_id: int | None = None
        self._packet_id = 0

    @property
    def generation(self) -> int:
        """Number of the current connection (bumped on each successful connect)."""
        return self._generation

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="mqtt-connection", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Flush what is queued, send DISCONNECT (the session is kept), close and wait for the thread."""
        self._stopping.set()
        self._poke()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        for fd in (self._wake_r, self._wake_w):
            with contextlib.suppress(OSError):
                os.close(fd)

    def send(self, data: bytes, generation: int) -> None:
        """Queue `data` for the connection numbered `generation`; dropped when that one is gone."""
        with self._lock:
            if generation != self._generation:
                return
            self._out += data
            poke = not self._poked and threading.get_ident() != self._thread_id
            self._poked = self._poked or poke
        if poke:
            self._poke()

    def subscribe(self, topic_filter: str, generation: int) -> None:
        self._packet_id = self._packet_id % 0xFFFF + 1
        self.send(wire.subscribe_packet(self._packet_id, topic_filter), generation)

    def drop(self) -> None:
        """Cut the current connection; the thread reconnects and the broker resends what is unacknowledged."""
        self._drop = True
        self._poke()

    def _poke(self) -> None:
        with contextlib.suppress(OSError):  # a full pipe is already a pending wake-up
            os.write(self._wake_w, b"!")

    # -- the connection thread -------------------------------------------------------------------------------

    def _run(self) -> None:
        self._thread_id = threading.get_ident()
        delay = float(self._config.reconnect_min_s)
        while not self._stopping.is_set():
            try:
                sock, reader, session_present, early = self._open()
            except (OSError, wire.ProtocolError) as exc:
                self._handler.connect_failed(str(exc))
                self._stopping.wait(delay)
                delay = min(delay * 2, float(self._config.reconnect_max_s))
                continue
            delay = float(self._config.reconnect_min_s)
            with self._lock:
                self._generation += 1
                self._out.clear()
                self._drop = False
                generation = self._generation
            try:
                self._handler.connected(generation, session_present)
                reason = self._serve(sock, reader, generation, early)
            except (OSError, wire.ProtocolError) as exc:
                reason = str(exc) or type(exc).__name__
            finally:
                with contextlib.suppress(OSError):
                    sock.close()
            self._handler.disconnected(reason)
            if not self._stopping.is_set():
                self._stopping.wait(self._config.reconnect_min_s)

    def _open(self) -> tuple[socket.socket, wire.Reader, bool, list[wire.Publish | wire.Packet]]:
        cfg = self._config
        sock = socket.create_connection((cfg.host, cfg.port), timeout=CONNECT_TIMEOUT_S)
        try:
            if cfg.tls:
                context = ssl.create_default_context(cafile=str(cfg.ca_file) if cfg.ca_file else None)
                if cfg.cert_file is not None:  # a broker that requires client certificates (mutual TLS)
                    context.load_cert_chain(cfg.cert_file, cfg.key_file)
                sock = context.wrap_socket(sock, server_hostname=cfg.host)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.sendall(wire.connect_packet(
                client_id=cfg.client_id, keepalive_s=cfg.keepalive_s, clean_start=False,
                session_expiry_s=cfg.session_expiry_s, receive_maximum=cfg.receive_maximum, username=cfg.username,
                password=cfg.password.get_secret_value() if cfg.password is not None else None,
            ))
            reader = wire.Reader()
            packets: list[wire.Publish | wire.Packet] = []
            while not packets:
                data = sock.recv(READ_BYTES)
                if not data:
                    raise ConnectionError("broker closed the connection before CONNACK")
                packets = reader.feed(data)
            first = packets[0]
            if not isinstance(first, wire.Packet) or first.kind != wire.CONNACK:
                raise wire.ProtocolError("the broker's first packet is not CONNACK")
            session_present, code = wire.connack(first.body)
            if code >= 0x80:
                raise Refused(code)
            sock.settimeout(max(CONNECT_TIMEOUT_S, float(cfg.keepalive_s)))  # bounds a stuck sendall
            return sock, reader, session_present, packets[1:]
        except BaseException:
            sock.close()
            raise

    def _serve(self, sock: socket.socket, reader: wire.Reader, generation: int,
               early: list[wire.Publish | wire.Packet]) -> str:
        keepalive = float(self._config.keepalive_s)
        last_sent = last_heard = time.monotonic()
        self._dispatch(early, generation)
        fd = sock.fileno()
        while True:
            wait = 0.0 if isinstance(sock, ssl.SSLSocket) and sock.pending() else TICK_S
            readable, _, _ = select.select([fd, self._wake_r], [], [], wait)
            if self._wake_r in readable:
                os.read(self._wake_r, 4096)
            if fd in readable or wait == 0.0:
                data = sock.recv(READ_BYTES)
                if not data:
                    return "connection closed by the broker"
                last_heard = time.monotonic()
                reason = self._dispatch(reader.feed(data), generation)
                if reason is not None:
                    return reason
            if self._flush(sock):
                last_sent = time.monotonic()
            if self._stopping.is_set():
                sock.sendall(wire.DISCONNECT_PACKET)
                return "stopped"
            if self._drop:
                return "dropped to have the broker resend"
            now = time.monotonic()
            if now - last_heard > 1.5 * keepalive:
                return "broker silent past the keep-alive"
            if now - last_sent >= keepalive / 2:
                sock.sendall(wire.PINGREQ_PACKET)
                last_sent = now

    def _flush(self, sock: socket.socket) -> bool:
        with self._lock:
            out, self._out = self._out, bytearray()
            self._poked = False
        if out:
            sock.sendall(out)
        return bool(out)

    def _dispatch(self, packets: list[wire.Publish | wire.Packet], generation: int) -> str | None:
        for packet in packets:
            if isinstance(packet, wire.Publish):
                self._handler.message(generation, packet)
            elif packet.kind == wire.SUBACK:
                self._handler.subscribed(wire.suback(packet.body)[1])
            elif packet.kind == wire.DISCONNECT:
                return f"broker disconnected (reason code 0x{wire.disconnect_reason(packet.body):02x})"
            # PINGRESP needs nothing: any packet counts as the broker being alive.
        return None
