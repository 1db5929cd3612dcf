"""The demo's MQTT broker, Mosquitto and embedded, with Qorgau's real MQTT adapter subscribed to it."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from qorgau.core.db import Database
from qorgau.protocols.mqtt.payloads import access_payload, gps_payload, sos_payload
from qorgau.settings import Settings
from qorgau.simulator import broker as broker_module
from qorgau.simulator.broker import BrokerError, DemoBroker, find_mosquitto
from qorgau.simulator.mqtt_link import MqttLink
from tests.ingest.adapters.mqtt.conftest import add_device, async_wait_for, free_port, outbox, running_ingest

T0 = datetime(2025, 3, 1, 3, 0, tzinfo=UTC)


def accepts(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(params=["mosquitto", "embedded"])
def demo_broker(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[DemoBroker]:
    with DemoBroker(tmp_path / "broker", prefer=request.param) as server:
        assert server.kind == request.param
        yield server


@pytest.fixture
def registry(db: Database) -> Database:
    add_device(db, "ACC-01", "access_point", "acc-01")
    add_device(db, "SOS-01", "sos_terminal", "sos-01")
    return db


def test_mosquitto_when_installed_on_the_loopback_only(tmp_path: Path) -> None:
    assert find_mosquitto() is not None  # the test machines have it (./run test installs it)
    port = free_port()
    with DemoBroker(tmp_path / "b", port) as server:
        assert (server.kind, server.protocol, server.url) == ("mosquitto", "5", f"mqtt://127.0.0.1:{port}")
        conf = (tmp_path / "b" / "mosquitto.conf").read_text()
        assert f"listener {port} 127.0.0.1\n" in conf
        assert "persistence true" in conf and f"persistence_location {(tmp_path / 'b').resolve()}/" in conf
        assert accepts(port)
        with pytest.raises(BrokerError, match="already in use"):
            DemoBroker(tmp_path / "c", port).start()
    assert not accepts(port)
    assert not server.running


def test_embedded_when_mosquitto_is_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(broker_module, "find_mosquitto", lambda: None)
    assert DemoBroker(tmp_path).kind == "embedded"
    with pytest.raises(BrokerError, match="not installed"):
        _ = DemoBroker(tmp_path, prefer="mosquitto").kind
    with pytest.raises(BrokerError, match="call start"):
        _ = DemoBroker(tmp_path).url


def test_a_broker_that_dies_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(broker_module, "mosquitto_config", lambda port, data_dir: "no_such_option 1\n")
    with pytest.raises(BrokerError, match=r"(?s)mosquitto broker exited with code \d+:.*no_such_option"):
        DemoBroker(tmp_path, prefer="mosquitto").start()


def test_adapter_receives_through_it_including_while_it_was_down(settings: Settings, registry: Database,
                                                                  demo_broker: DemoBroker) -> None:
    async def scenario() -> None:
        async with MqttLink(demo_broker.url, reconnect_max_s=1) as link:
            async with running_ingest(settings, registry, demo_broker) as ingest:  # type: ignore[arg-type]
                await link.publish("acc-01", "access", access_payload("granted", ts=T0, event_id="a-1"))
                await async_wait_for(lambda: outbox(registry, "ingest.access_event"))
                assert ingest.adapter.snapshot().session_present is False
            # Qorgau is down: the broker acknowledges and keeps these for its persistent session.
            await link.publish("sos-01", "sos", sos_payload("button_pressed", ts=T0, event_id="s-1"))
            for n in range(20):
                await link.publish("trk-7", "gps", gps_payload(51.0 + n / 1000, 53.0, ts=T0, event_id=f"f-{n}"))
            async with running_ingest(settings, registry, demo_broker) as ingest:  # type: ignore[arg-type]
                await async_wait_for(lambda: len(outbox(registry, "ingest.sos_event")) == 1
                                     and len(outbox(registry, "ingest.gps_fix")) == 20)
                assert ingest.adapter.snapshot().session_present is True
                # PUBACK only after the commit: a crash right after it leaves the message unacknowledged...
                ingest.adapter._ack = lambda *args: None  # type: ignore[method-assign]
                await link.publish("sos-01", "sos", sos_payload("call_ended", call_id="c-9", ts=T0, event_id="s-2"))
                await async_wait_for(lambda: len(outbox(registry, "ingest.sos_event")) == 2)
            # ...so the broker delivers it again, and Qorgau records it once. (A fix whose commit had not been
            # acknowledged yet when _ack was replaced comes back too, and is recognised the same way.)
            async with running_ingest(settings, registry, demo_broker) as ingest:  # type: ignore[arg-type]
                await async_wait_for(lambda: ingest.received("duplicate") >= 1)
                await async_wait_for(lambda: ingest.adapter.snapshot().in_flight == 0)
                assert ingest.adapter.snapshot().committed == 0
            assert link.stats().acknowledged == 23

    asyncio.run(scenario())
    assert [row.payload["action"] for row in outbox(registry, "ingest.sos_event")] == ["button_pressed", "call_ended"]
    assert sorted(row.payload["position"]["lon"] for row in outbox(registry, "ingest.gps_fix")) == [
        51.0 + n / 1000 for n in range(20)]


def test_refusals_and_heartbeats_amid_commits_keep_the_connection(settings: Settings, registry: Database,
                                                                  demo_broker: DemoBroker) -> None:
    # Refused messages and heartbeats are answered before earlier messages have committed; the adapter still
    # acknowledges in arrival order (MQTT 4.6), which the embedded broker insists on (it disconnects otherwise).
    async def scenario() -> None:
        async with MqttLink(demo_broker.url, max_in_flight=200) as link, \
                running_ingest(settings, registry, demo_broker) as ingest:  # type: ignore[arg-type]
            sends = []
            for n in range(600):
                sends.append(link.publish("trk-7", "gps", gps_payload(51.0, 53.0, ts=T0, event_id=f"g-{n}")))
                if n % 20 == 10:
                    sends.append(link.publish("ghost-9", "access", {"action": "granted"}))  # unknown device
                    sends.append(link.publish("acc-01", "heartbeat", {}))
            await asyncio.gather(*sends)
            await async_wait_for(lambda: len(outbox(registry, "ingest.gps_fix")) == 600, timeout=60)
            snapshot = ingest.adapter.snapshot()
            assert (snapshot.connects, snapshot.disconnects, snapshot.duplicates) == (1, 0, 0)
            assert snapshot.rejected == {"unknown_device": 30}
            assert link.stats().reconnects == 0

    asyncio.run(scenario())
