"""The simulator's MQTT link against a real Mosquitto (with the documented ACL) and Qorgau's real MQTT adapter."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from qorgau.core.db import Database
from qorgau.protocols.mqtt.payloads import access_payload, gps_payload, heartbeat_payload, sos_payload
from qorgau.settings import Settings
from qorgau.simulator.mqtt_link import MqttLink, MqttLinkError
from tests.ingest.adapters.mqtt.conftest import (
    DEVICES,
    MOSQUITTO_PASSWD,
    PREFIX,
    Broker,
    add_device,
    async_wait_for,
    free_port,
    outbox,
    running_ingest,
)

GATEWAY_USER, GATEWAY_PASSWORD = "sim-gateway", "gateway-secret"
ALMATY = timezone(timedelta(hours=5))
T0 = datetime(2025, 3, 1, 8, 15, 30, 250000, tzinfo=ALMATY)


class GatewayBroker(Broker):
    """The ingest tests' Mosquitto plus one login that may publish for every device: the simulator's gateway."""

    def write_config(self) -> Path:
        conf = super().write_config()
        subprocess.run([MOSQUITTO_PASSWD, "-b", str(self.directory / "passwd"), GATEWAY_USER, GATEWAY_PASSWORD],
                       check=True, capture_output=True)
        with (self.directory / "acl").open("a") as acl:
            acl.write(f"\nuser {GATEWAY_USER}\ntopic write {PREFIX}/#\n")
        return conf


@pytest.fixture
def gateway_broker(tmp_path: Path) -> Iterator[GatewayBroker]:
    directory = tmp_path / "mosquitto"
    directory.mkdir()
    server = GatewayBroker(directory)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def registry(db: Database) -> Database:
    add_device(db, "ACC-01", "access_point", "acc-01")
    add_device(db, "SOS-01", "sos_terminal", "sos-01")
    add_device(db, "CAM-01", "camera", "cam-01")
    return db


def link_to(broker: Broker, **options: Any) -> MqttLink:
    return MqttLink(broker.url, username=GATEWAY_USER, password=GATEWAY_PASSWORD, reconnect_max_s=1, **options)


# -- topics ------------------------------------------------------------------------------------------------------


def test_topics() -> None:
    link = MqttLink("mqtt://127.0.0.1:1", prefix="/city/v1/")
    assert link.topic("acc-01", "access") == "city/v1/acc-01/access"
    for bad in ("", "a/b", "a+", "#"):
        with pytest.raises(ValueError):
            link.topic(bad, "gps")
    with pytest.raises(ValueError):
        link.topic("acc-01", "video")  # type: ignore[arg-type]


# -- against the broker and the adapter --------------------------------------------------------------------------


def test_each_kind_is_accepted_and_becomes_an_event(settings: Settings, registry: Database,
                                                   gateway_broker: GatewayBroker) -> None:
    async def scenario() -> None:
        async with running_ingest(settings, registry, gateway_broker) as ingest, link_to(gateway_broker) as link:
            assert link.connected
            latencies = await asyncio.gather(
                link.publish("acc-01", "access", access_payload("granted", direction="in", card="0004221337",
                                                                ts=T0, event_id="a-1")),
                link.publish("acc-01", "access", access_payload("denied", reason="expired", ts=T0,
                                                                event_id="a-2")),
                link.publish("sos-01", "sos", sos_payload("button_pressed", ts=T0, event_id="s-1")),
                link.publish("sos-01", "sos", sos_payload("self_test", result="pass", ts=T0, event_id="s-2")),
                link.publish("cam-01", "heartbeat", heartbeat_payload("degraded", "lens fogged", ts=T0)),
                link.publish("trk-7", "gps", gps_payload(51.17, 53.01, ts=T0, speed_kmh=42.5, heading_deg=90,
                                                         accuracy_m=4)),
            )
            assert all(0 < latency < 10 for latency in latencies)
            await async_wait_for(lambda: len(outbox(registry, "ingest.access_event")) == 2
                                 and len(outbox(registry, "ingest.sos_event")) == 2
                                 and len(outbox(registry, "ingest.gps_fix")) == 1
                                 and ingest.received("heartbeat") == 1)
            assert sum(ingest.adapter.snapshot().rejected.values()) == 0
            stats = link.stats()
            assert (stats.published, stats.acknowledged, stats.failed, stats.in_flight) == (6, 6, 0, 0)
            assert len(link.latencies_s) == 6
            assert stats.latency["p50_ms"] is not None and stats.latency["max_ms"] == round(max(latencies) * 1000, 2)

    asyncio.run(scenario())
    granted, denied = outbox(registry, "ingest.access_event")
    assert (granted.subject_id, granted.payload["action"], denied.payload["reason"]) == ("ACC-01", "granted",
                                                                                         "expired")
    assert granted.occurred_at.replace(tzinfo=UTC) == T0.astimezone(UTC)
    assert [row.payload["action"] for row in outbox(registry, "ingest.sos_event")] == ["button_pressed", "self_test"]
    (fix,) = outbox(registry, "ingest.gps_fix")
    assert (fix.subject_id, fix.payload["position"]) == ("trk-7", {"lon": 51.17, "lat": 53.01})
    changes = [row.payload for row in outbox(registry, "devices.health_changed") if row.subject_id == "CAM-01"]
    assert changes[-1]["current"] == "degraded"


def test_link_reconnects_by_itself_after_a_broker_restart(settings: Settings, registry: Database,
                                                          gateway_broker: GatewayBroker) -> None:
    async def scenario() -> None:
        async with running_ingest(settings, registry, gateway_broker), link_to(gateway_broker) as link:
            await link.publish("trk-7", "gps", gps_payload(51.0, 53.0, ts=T0))
            await asyncio.to_thread(gateway_broker.stop)
            await async_wait_for(lambda: not link.connected)
            # Published while the broker is down: paho holds it and sends it on the new connection.
            pending = asyncio.gather(*(link.publish("trk-7", "gps", gps_payload(51.0, 53.0, ts=T0 + timedelta(
                seconds=n))) for n in range(1, 6)))
            await asyncio.sleep(0.5)
            assert not pending.done()
            await asyncio.to_thread(gateway_broker.start)
            latencies = await pending
            assert min(latencies) >= 0.4
            await async_wait_for(lambda: len(outbox(registry, "ingest.gps_fix")) == 6)
            stats = link.stats()
            assert (stats.acknowledged, stats.failed, stats.reconnects, stats.connected) == (6, 0, 1, True)

    asyncio.run(scenario())


def test_a_window_bounds_what_is_in_flight(gateway_broker: GatewayBroker) -> None:
    async def scenario() -> None:
        async with link_to(gateway_broker, max_in_flight=4) as link:
            seen: list[int] = []

            async def one(n: int) -> float:
                seen.append(link.in_flight)
                return await link.publish(f"acc-{n % 3}", "heartbeat", heartbeat_payload())

            await asyncio.gather(*(one(n) for n in range(200)))
            assert max(seen) <= 4
            assert link.stats().acknowledged == 200

    asyncio.run(scenario())


def test_failures_are_clear_errors(gateway_broker: GatewayBroker) -> None:
    async def scenario() -> None:
        # Wrong password: refused for good, and said so at once instead of retrying forever.
        async with MqttLink(gateway_broker.url, username=GATEWAY_USER, password="wrong", ack_timeout_s=5) as bad:
            with pytest.raises(MqttLinkError, match="refused the connection"):
                await bad.publish("acc-01", "heartbeat", {})
            assert not bad.connected
        # A device login publishing under another device's id: the broker's ACL refuses it (PUBACK 0x87).
        async with MqttLink(gateway_broker.url, username="acc-01", password=DEVICES["acc-01"]) as turnstile:
            with pytest.raises(MqttLinkError, match="refused the message"):
                await turnstile.publish("sos-01", "sos", sos_payload("button_pressed", ts=None, event_id=None))
            await turnstile.publish("acc-01", "access", access_payload("forced", ts=None, event_id=None))
            assert (turnstile.stats().failed, turnstile.stats().acknowledged) == (1, 1)
        # No broker at all: no PUBACK within the time-out.
        nowhere = MqttLink(f"mqtt://127.0.0.1:{free_port()}", ack_timeout_s=0.3)
        assert await nowhere.start(wait_s=0.1) is False
        with pytest.raises(MqttLinkError, match="no PUBACK"):
            await nowhere.publish("acc-01", "heartbeat", {})
        assert (nowhere.stats().published, nowhere.stats().failed, nowhere.in_flight) == (1, 1, 0)
        await nowhere.stop(drain_s=0)
        with pytest.raises(MqttLinkError, match="not started"):
            await MqttLink(gateway_broker.url).publish("acc-01", "heartbeat", {})

    asyncio.run(scenario())
