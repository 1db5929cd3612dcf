"""MQTT adapter: a QoS 1 subscriber with a persistent session that acknowledges each message after its commit.

The connection's thread (`connection.py`) parses each message and hands its events to the ingest's group-commit
writer; the PUBACK is queued from the writer thread once the transaction that holds them has committed, and a
group's PUBACKs leave in one write. The broker never has more than `receive_maximum` messages unacknowledged with
Qorgau, so when the database falls behind the backlog waits in the broker's queue for Qorgau's session (bounded
by its own limits), not in this process. A message Qorgau crashed
on before the commit is therefore redelivered by the broker; one committed but not yet acknowledged is
redelivered too, and recorded once when it carries a key (`event_id`, or a GPS fix's time stamp). Input that can
never become valid (unknown device, bad JSON, schema violation…) is counted, logged and acknowledged: keeping
it unacknowledged would only make the broker resend it forever. A failed commit is not acknowledged: the
adapter reconnects after a back-off, and the broker resends what is outstanding.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from functools import partial

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from qorgau.core.bus.models import OutboxEvent
from qorgau.core.crypto import KEY_BYTES, key_paths
from qorgau.core.keyfiles import decode_key, load_or_create
from qorgau.core.settings import CoreSettings
from qorgau.core.workers import cancel_all
from qorgau.devices.enums import Protocol
from qorgau.ingest.adapters.mqtt.config import MqttConfig, MqttSettings
from qorgau.ingest.adapters.mqtt.connection import Connection
from qorgau.ingest.adapters.mqtt.diagnostics import Diagnostics, LogLimiter, Snapshot
from qorgau.ingest.adapters.mqtt.parser import Accepted, Parser, Reason, Rejected
from qorgau.ingest.config import IngestSettings
from qorgau.ingest.hub import IngestHub
from qorgau.protocols.mqtt import wire

log = logging.getLogger(__name__)

NAME = "mqtt"
READY_WAIT_S = 5.0
RECYCLE_MAX_S = 30.0


def create(settings: IngestSettings) -> MqttAdapter | None:
    """The adapter, or None when `mqtt_url` is empty."""
    config = MqttConfig.from_settings(settings.part(MqttSettings))
    return None if config is None else MqttAdapter(config)


def credential_key(settings: CoreSettings) -> bytes:
    """Key of the card pseudonyms, derived from the master key (a key rotation starts new references)."""
    if settings.master_key is not None:
        master = decode_key(settings.master_key.get_secret_value(), KEY_BYTES, origin="QORGAU_MASTER_KEY")
    else:
        master = load_or_create(key_paths(settings).current, KEY_BYTES)
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=b"qorgau/ingest/mqtt/credential-ref/v1").derive(master)


class MqttAdapter:
    """Subscribes to `<prefix>/+/+` with QoS 1 and turns each message into events in the outbox."""

    name = NAME

    def __init__(self, config: MqttConfig) -> None:
        self.config = config
        self.diagnostics = Diagnostics(broker=f"{'mqtts' if config.tls else 'mqtt'}://{config.host}:{config.port}")
        self._hub: IngestHub | None = None
        self._parser: Parser | None = None
        self._connection: Connection | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()
        self._stopping = False
        self._recycle: asyncio.Task[None] | None = None
        self._recycle_delay = 0.0
        self._quiet = LogLimiter()
        # MQTT wants PUBACKs in the order the PUBLISHes arrived [MQTT-4.6.0-2], and some brokers (rumqttd, the
        # demo's embedded one) drop the connection otherwise. Refusals and heartbeats are answered at once while
        # earlier messages are still being committed, so an acknowledgement waits here for the earlier ones.
        self._ack_lock = threading.Lock()
        self._ack_generation = 0
        self._unacked: dict[int, int] = {}  # message id -> QoS, in order of arrival
        self._ack_due: set[int] = set()  # of those, the ones whose acknowledgement is due

    # -- lifecycle -------------------------------------------------------------------------------------------

    async def start(self, hub: IngestHub) -> None:
        """Connect and subscribe; returns once subscribed, or after a few seconds while it keeps trying."""
        self._hub = hub
        self._loop = asyncio.get_running_loop()
        self._stopping = False
        key = await asyncio.to_thread(credential_key, hub.settings)
        self._parser = Parser(
            prefix=self.config.topic_prefix, find=partial(hub.directory.find, Protocol.MQTT), credential_key=key,
            context=hub.context, max_payload_bytes=self.config.max_payload_bytes,
            max_clock_skew_s=self.config.max_clock_skew_s,
        )
        self._connection = Connection(self.config, self)
        self._connection.start()
        if not await asyncio.to_thread(self._ready.wait, READY_WAIT_S):
            log.warning("mqtt broker not reachable yet; retrying in the background",
                        extra={"broker": self.diagnostics.broker})

    async def stop(self) -> None:
        """Stop taking messages, let those being committed be acknowledged, then disconnect (session kept)."""
        self._stopping = True
        if self._recycle is not None:
            await cancel_all([self._recycle])
        deadline = asyncio.get_running_loop().time() + self.config.drain_timeout_s
        while self.diagnostics.in_flight > 0 and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.01)
        connection, self._connection = self._connection, None
        if connection is not None:
            await asyncio.to_thread(connection.stop)
        self._ready.clear()
        if self._hub is not None:
            self._hub.metrics.connections.labels(NAME).set(0)

    async def wait_ready(self, timeout: float) -> bool:
        """Whether the subscription is in place (waiting up to `timeout` seconds)."""
        return await asyncio.to_thread(self._ready.wait, timeout)

    def snapshot(self) -> Snapshot:
        return self.diagnostics.snapshot()

    # -- connection events (its thread) ----------------------------------------------------------------------

    def connected(self, generation: int, session_present: bool) -> None:
        self.diagnostics.on_connect(session_present)
        if self._hub is not None:
            self._hub.metrics.connections.labels(NAME).set(1)
        log.info("mqtt connected", extra={"broker": self.diagnostics.broker, "session_present": session_present})
        if self._parser is not None and self._connection is not None:
            # Subscribing again on a kept session is harmless; retained messages are not replayed (old events).
            self._connection.subscribe(self._parser.subscription, generation)

    def connect_failed(self, reason: str) -> None:
        if self._quiet.allow("connect_fail") is not None:
            log.warning("mqtt broker unreachable or refusing; retrying", extra={"broker": self.diagnostics.broker,
                                                                               "reason": reason})

    def disconnected(self, reason: str) -> None:
        self._ready.clear()
        self.diagnostics.on_disconnect(reason)
        if self._hub is not None:
            self._hub.metrics.connections.labels(NAME).set(0)
        if not self._stopping:
            log.warning("mqtt disconnected; reconnecting", extra={"broker": self.diagnostics.broker,
                                                                   "reason": reason})

    def subscribed(self, reason_codes: list[int]) -> None:
        if any(code >= 0x80 for code in reason_codes):
            log.error("mqtt broker refused the subscription (check Qorgau's ACL)",
                      extra={"reasons": [f"0x{code:02x}" for code in reason_codes]})
            return
        self._ready.set()

    def message(self, generation: int, publish: wire.Publish) -> None:
        # Nothing may escape into the connection's thread: it would drop the connection.
        try:
            self._handle(publish, generation)
        except Exception:
            log.exception("mqtt message handling failed; acknowledged and dropped")
            self._refuse(publish, generation, Rejected(Reason.INTERNAL))

    def _handle(self, message: wire.Publish, generation: int) -> None:
        if self._stopping:
            return  # unacknowledged: the broker keeps it for the next session
        if self._hub is None or self._parser is None:
            return
        self._arrived(message.packet_id, message.qos, generation)
        self.diagnostics.add("received")
        try:
            result = self._parser.parse(message.topic, message.payload, retain=message.retain)
        except Exception:
            log.exception("mqtt parser failed")
            result = Rejected(Reason.INTERNAL)
        if isinstance(result, Rejected):
            self._refuse(message, generation, result)
            return
        if message.dup and result.deduplicated and self._recorded(result):
            self._duplicate(message, generation)
            return
        self.diagnostics.add("in_flight")
        done = partial(self._committed, message.packet_id, message.qos, generation, result)
        try:
            self._hub.sink.submit(result.events, heartbeats=result.heartbeats, done=done)
        except Exception:
            self.diagnostics.add("in_flight", -1)
            log.exception("mqtt message could not be queued for commit; left unacknowledged")
            if self._loop is not None and not self._loop.is_closed():
                # Later acknowledgements wait for this one: a new connection has the broker resend it.
                self._loop.call_soon_threadsafe(self._schedule_recycle)

    def _refuse(self, message: wire.Publish, generation: int, result: Rejected) -> None:
        self.diagnostics.reject(result.reason)
        if self._hub is not None:
            self._hub.metrics.reject(NAME, result.reason)
        held_back = self._quiet.allow(f"{result.reason}/{result.device_id}")
        if held_back is not None:
            # Never the payload: it may hold a card number.
            log.warning("mqtt message refused", extra={"reason": result.reason, "kind": result.topic_kind,
                                                       "device_id": result.device_id, "detail": result.detail,
                                                       "held_back": held_back})
        self._ack(message.packet_id, message.qos, generation)

    def _duplicate(self, message: wire.Publish, generation: int) -> None:
        self.diagnostics.add("duplicates")
        if self._hub is not None:
            self._hub.metrics.accept(NAME, "duplicate")
        self._ack(message.packet_id, message.qos, generation)

    def _recorded(self, result: Accepted) -> bool:
        """Whether a redelivered message's event is already in the outbox (asked only for DUP-flagged ones)."""
        if self._hub is None:
            return False
        ids = [event.id for event in result.events]
        try:
            with self._hub.db.reading() as session:
                return session.scalar(select(OutboxEvent.id).where(OutboxEvent.id.in_(ids)).limit(1)) is not None
        except Exception:
            log.warning("mqtt duplicate check failed; the commit will tell", exc_info=True)
            return False

    def _arrived(self, mid: int, qos: int, generation: int) -> None:
        """Note a message's place in the order of acknowledgements of its connection."""
        if qos == 0:
            return
        with self._ack_lock:
            if generation != self._ack_generation:
                self._ack_generation, self._unacked, self._ack_due = generation, {}, set()
            self._unacked[mid] = qos

    def _ack(self, mid: int, qos: int, generation: int) -> None:
        """Acknowledge `mid` once every message that arrived before it on this connection is acknowledged."""
        connection = self._connection
        if qos == 0 or connection is None:
            return
        with self._ack_lock:  # held while queueing, so two threads cannot interleave their acknowledgements
            if generation != self._ack_generation or mid not in self._unacked:
                return  # of an earlier connection: the broker resends it on this one
            self._ack_due.add(mid)
            released: list[int] = []
            while self._unacked:
                head = next(iter(self._unacked))
                if head not in self._ack_due:
                    break
                self._ack_due.discard(head)
                del self._unacked[head]
                released.append(head)
            if released:
                connection.send(b"".join(map(wire.puback_packet, released)), generation)

    # -- completion (ingest writer thread) -------------------------------------------------------------------

    def _committed(self, mid: int, qos: int, generation: int, result: Accepted, error: BaseException | None) -> None:
        self.diagnostics.add("in_flight", -1)
        if error is None:
            self._recycle_delay = 0.0
            self.diagnostics.add("committed")
            if self._hub is not None:
                self._hub.metrics.accept(NAME, "event" if result.events else "heartbeat")
            self._ack(mid, qos, generation)
        elif result.deduplicated and isinstance(error, IntegrityError):
            # The event's derived id is already in the outbox: this is a redelivery of a recorded message.
            self.diagnostics.add("duplicates")
            if self._hub is not None:
                self._hub.metrics.accept(NAME, "duplicate")
            self._ack(mid, qos, generation)
        else:
            self.diagnostics.add("commit_failures")
            if self._loop is not None and not self._loop.is_closed():
                self._loop.call_soon_threadsafe(self._schedule_recycle)

    # -- reconnect after a failed commit (event loop) --------------------------------------------------------

    def _schedule_recycle(self) -> None:
        if self._stopping or (self._recycle is not None and not self._recycle.done()):
            return
        self._recycle = asyncio.create_task(self._reconnect_for_redelivery(), name="mqtt-redeliver")

    async def _reconnect_for_redelivery(self) -> None:
        # The broker resends unacknowledged messages only on a new connection; without one the in-flight window
        # would stay full and delivery would stop. The back-off keeps a failing database from a resend storm.
        delay = self._recycle_delay
        self._recycle_delay = min(max(1.0, delay * 2), RECYCLE_MAX_S)
        log.warning("mqtt commit failed; reconnecting so the broker redelivers", extra={"delay_s": delay})
        await asyncio.sleep(delay)
        connection = self._connection
        if connection is None or self._stopping:
            return
        self.diagnostics.add("recycles")
        connection.drop()
