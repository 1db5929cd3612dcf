"""The simulator's MQTT side: one gateway connection that publishes for many simulated devices, QoS 1.

`MqttLink.publish()` sends `<prefix>/<device-id>/<kind>` and returns once the broker's PUBACK is in, with the
latency. paho-mqtt's own network thread carries the traffic: it reconnects by itself (with back-off) and resends
what was not acknowledged, so a broker restart only delays publications. Topics and payloads are built by
qorgau.protocols.mqtt.payloads, exactly as docs/mqtt/schemas/ allow.
"""

from __future__ import annotations

import asyncio
import json
import logging
import ssl
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode, MQTTProtocolVersion
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from qorgau.core.aio import within
from qorgau.protocols.latency import latency_ms
from qorgau.protocols.mqtt.broker import broker_address
from qorgau.protocols.mqtt.payloads import DEFAULT_PREFIX, Kind, topic

log = logging.getLogger(__name__)

LATENCY_SAMPLES = 100_000
# CONNACK reasons that no retry will cure: the link gives up instead of hammering the broker.
# (MQTT 5 reason codes: unsupported protocol version, client id not valid, bad user name or password, not
# authorized, banned, bad authentication method.)
_PERMANENT = frozenset({0x84, 0x85, 0x86, 0x87, 0x8A, 0x8C})


class MqttLinkError(RuntimeError):
    """A publication failed for good: refused by the broker, no PUBACK in time, or the link is closed/broken."""


@dataclass(frozen=True, slots=True)
class LinkStats:
    """Counters of a link; latencies in milliseconds over the last LATENCY_SAMPLES acknowledgements."""

    published: int
    acknowledged: int
    failed: int
    reconnects: int
    in_flight: int
    connected: bool
    latency: dict[str, float | None]


class _Window:
    """At most `limit` holders at once; the limit can shrink or grow while in use (the broker's Receive Maximum)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.active = 0
        self._changed = asyncio.Condition()

    async def __aenter__(self) -> None:
        async with self._changed:
            await self._changed.wait_for(lambda: self.active < self.limit)
            self.active += 1

    async def __aexit__(self, *exc: object) -> None:
        async with self._changed:
            self.active -= 1
            self._changed.notify()

    async def resize(self, limit: int) -> None:
        async with self._changed:
            self.limit = limit
            self._changed.notify_all()


@dataclass(slots=True)
class _Pending:
    future: asyncio.Future[float]
    sent_at: float


class MqttLink:
    """A QoS 1 publisher for many devices over one connection (clean session; reconnects by itself).

    Use inside one asyncio event loop: `async with MqttLink(url) as link: await link.publish("acc-01", ...)`.
    """

    def __init__(self, url: str = "mqtt://127.0.0.1:1883", *, prefix: str = DEFAULT_PREFIX,
                 client_id: str | None = None, username: str | None = None, password: str | None = None,
                 ca_file: Path | None = None, max_in_flight: int = 100, ack_timeout_s: float = 30.0,
                 keepalive_s: int = 30, reconnect_min_s: int = 1, reconnect_max_s: int = 10) -> None:
        if max_in_flight < 1:
            raise ValueError("max_in_flight must be at least 1")
        self.host, self.port, self.tls = broker_address(url)
        self.prefix = prefix.strip("/")
        self.client_id = client_id or f"qorgau-sim-{uuid.uuid4().hex[:12]}"
        self.max_in_flight = max_in_flight
        self.ack_timeout_s = ack_timeout_s
        self._keepalive_s = keepalive_s
        self._client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=self.client_id,
                                   protocol=MQTTProtocolVersion.MQTTv5, reconnect_on_failure=True)
        self._client.reconnect_delay_set(min_delay=reconnect_min_s, max_delay=reconnect_max_s)
        self._client.max_inflight_messages_set(max_in_flight)
        self._client.max_queued_messages_set(0)  # bounded by our window instead
        if username is not None:
            self._client.username_pw_set(username, password)
        if self.tls:
            self._client.tls_set(ca_certs=str(ca_file) if ca_file else None, cert_reqs=ssl.CERT_REQUIRED,
                                 tls_version=ssl.PROTOCOL_TLS_CLIENT)
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        self._client.on_publish = self._on_publish
        self._loop: asyncio.AbstractEventLoop | None = None
        self._window: _Window | None = None
        self._connected = threading.Event()
        self._answered = threading.Event()  # the broker said yes, or no for good
        self._lock = threading.Lock()  # guards the three dicts below; never held while calling into paho
        self._pending: dict[int, _Pending] = {}
        self._early: dict[int, tuple[float, ReasonCode]] = {}  # PUBACKs that beat publish() back to us
        self._abandoned: set[int] = set()  # timed out: a late PUBACK for them is ignored
        self._fatal: str | None = None
        self._started = False
        self._closed = False
        self._connects = 0
        self.published = 0
        self.acknowledged = 0
        self.failed = 0
        self.latencies_s: deque[float] = deque(maxlen=LATENCY_SAMPLES)

    # -- lifecycle -------------------------------------------------------------------------------------------

    async def start(self, wait_s: float = 10.0) -> bool:
        """Start connecting; returns whether connected within `wait_s` (paho keeps trying in the background)."""
        if self._started:
            return self.connected
        self._loop = asyncio.get_running_loop()
        self._window = _Window(self.max_in_flight)
        self._started = True
        self._client.connect_async(self.host, self.port, keepalive=self._keepalive_s, clean_start=True)
        self._client.loop_start()
        await asyncio.to_thread(self._answered.wait, wait_s)
        connected = self.connected
        if not connected and self._fatal is None:
            log.warning("mqtt broker not reachable yet; retrying", extra={"host": self.host, "port": self.port})
        return connected

    async def stop(self, drain_s: float = 5.0) -> None:
        """Wait up to `drain_s` for outstanding PUBACKs, then disconnect; what is still unanswered fails."""
        if not self._started or self._closed:
            return
        deadline = time.monotonic() + drain_s
        while self._pending and time.monotonic() < deadline and self._fatal is None:
            await asyncio.sleep(0.01)
        self._closed = True
        self._client.disconnect()
        await asyncio.to_thread(self._client.loop_stop)
        self._fail_all("the link was closed before the broker acknowledged")

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.stop()

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    @property
    def reconnects(self) -> int:
        """Connections made after the first one."""
        return max(0, self._connects - 1)

    @property
    def in_flight(self) -> int:
        return len(self._pending)

    def topic(self, device_id: str, kind: Kind) -> str:
        """`<prefix>/<device-id>/<kind>`; ValueError for an id the topic scheme cannot carry."""
        return topic(self.prefix, device_id, kind)

    # -- publishing ------------------------------------------------------------------------------------------

    async def publish(self, device_id: str, kind: Kind, payload: dict[str, object]) -> float:
        """Publish with QoS 1 and wait for the PUBACK; returns its latency in seconds.

        Raises MqttLinkError when the broker refuses the message or the connection for good, or when no PUBACK
        comes within `ack_timeout_s` (paho may still deliver it later: the device gave up waiting, that's all).
        """
        topic = self.topic(device_id, kind)
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
        if not self._started or self._window is None:
            raise MqttLinkError("the link is not started: call start() first")
        async with self._window:
            self._check_usable()
            future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
            self.published += 1
            sent_at = time.perf_counter()
            try:
                info = self._client.publish(topic, body, qos=1)
            except ValueError as exc:
                self.failed += 1
                raise MqttLinkError(f"paho refused the message: {exc}") from exc
            if info.rc not in (MQTTErrorCode.MQTT_ERR_SUCCESS, MQTTErrorCode.MQTT_ERR_NO_CONN):
                # NO_CONN means queued for the next connection; anything else is a local refusal.
                self.failed += 1
                raise MqttLinkError(f"paho refused the message: {mqtt.error_string(info.rc)}")
            with self._lock:
                early = self._early.pop(info.mid, None)
                if early is None:
                    self._pending[info.mid] = _Pending(future, sent_at)
            if early is not None:
                self._settle(future, sent_at, *early)
            try:
                latency = await within(asyncio.shield(future), self.ack_timeout_s)
            except TimeoutError:
                self._abandon(info.mid, future)
                self.failed += 1
                raise MqttLinkError(f"no PUBACK for {topic} within {self.ack_timeout_s:g} s "
                                    f"({'connected' if self.connected else 'not connected'})") from None
            except MqttLinkError:
                self.failed += 1
                raise
            except asyncio.CancelledError:
                self._abandon(info.mid, future)
                self.failed += 1
                raise
            self.acknowledged += 1
            self.latencies_s.append(latency)
            return latency

    def _abandon(self, mid: int, future: asyncio.Future[float]) -> None:
        """Stop waiting for `mid`: a PUBACK that still comes is ignored."""
        with self._lock:
            if self._pending.pop(mid, None) is not None:
                self._abandoned.add(mid)
        if future.done():
            if not future.cancelled():
                future.exception()  # retrieved, so asyncio does not report it as lost
        else:
            future.cancel()

    def stats(self) -> LinkStats:
        return LinkStats(published=self.published, acknowledged=self.acknowledged, failed=self.failed,
                         reconnects=self.reconnects, in_flight=self.in_flight, connected=self.connected,
                         latency=latency_ms(list(self.latencies_s)))

    def _check_usable(self) -> None:
        if self._fatal is not None:
            raise MqttLinkError(self._fatal)
        if self._closed:
            raise MqttLinkError("the link is closed")

    def _settle(self, future: asyncio.Future[float], sent_at: float, acked_at: float, reason: ReasonCode) -> None:
        if future.done():
            return
        if reason.is_failure:
            future.set_exception(MqttLinkError(f"the broker refused the message: {reason}"))
        else:
            future.set_result(acked_at - sent_at)

    def _fail_all(self, why: str) -> None:
        with self._lock:
            pending, self._pending = self._pending, {}
            self._abandoned.update(pending)
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        for item in pending.values():
            loop.call_soon_threadsafe(_fail, item.future, why)

    # -- paho callbacks (network thread) ---------------------------------------------------------------------

    def _on_connect(self, client: mqtt.Client, userdata: Any, flags: mqtt.ConnectFlags, reason: ReasonCode,
                    properties: Properties | None) -> None:
        if reason.is_failure:
            if reason.value in _PERMANENT:
                self._fatal = f"the broker refused the connection: {reason}"
                log.error("mqtt broker refused the simulator's connection", extra={"reason": str(reason)})
                self._fail_all(self._fatal)
                client.disconnect()
                self._answered.set()
            else:
                log.warning("mqtt broker refused the connection; retrying", extra={"reason": str(reason)})
            return
        receive_maximum = getattr(properties, "ReceiveMaximum", None) if properties is not None else None
        loop, window = self._loop, self._window
        if isinstance(receive_maximum, int) and receive_maximum > 0 and loop is not None and window is not None:
            # paho does not honour the broker's Receive Maximum itself: more in flight would get us disconnected.
            limit = min(self.max_in_flight, receive_maximum)
            asyncio.run_coroutine_threadsafe(window.resize(limit), loop)
        self._connects += 1
        self._connected.set()
        self._answered.set()
        if self._connects > 1:
            log.info("mqtt link reconnected", extra={"host": self.host, "port": self.port})

    def _on_disconnect(self, client: mqtt.Client, userdata: Any, flags: mqtt.DisconnectFlags, reason: ReasonCode,
                       properties: Properties | None) -> None:
        self._connected.clear()
        if not self._closed and self._fatal is None:
            log.warning("mqtt link lost; reconnecting", extra={"reason": str(reason)})

    def _on_publish(self, client: mqtt.Client, userdata: Any, mid: int, reason: ReasonCode,
                    properties: Properties | None) -> None:
        acked_at = time.perf_counter()
        with self._lock:
            if mid in self._abandoned:
                self._abandoned.discard(mid)
                return
            pending = self._pending.pop(mid, None)
            if pending is None:
                self._early[mid] = (acked_at, reason)
                return
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._settle, pending.future, pending.sent_at, acked_at, reason)


def _fail(future: asyncio.Future[float], why: str) -> None:
    if not future.done():
        future.set_exception(MqttLinkError(why))
