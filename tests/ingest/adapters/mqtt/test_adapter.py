"""The MQTT adapter against a real Mosquitto and a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from qorgau.core.bus.outbox import BatchRow, publish_rows
from qorgau.core.db import Database
from qorgau.devices.models import Device as DeviceRow
from qorgau.ingest import sink as sink_module
from qorgau.ingest.adapters.mqtt.adapter import create
from qorgau.settings import Settings
from tests.ingest.adapters.mqtt.conftest import (
    Broker,
    Device,
    async_wait_for,
    outbox,
    running_ingest,
)

CARD = "0004221337"


def health(db: Database, code: str) -> str:
    with db.reading() as session:
        return str(session.scalar(select(DeviceRow.health).where(DeviceRow.code == code)))


def test_create_is_off_without_a_broker_url(settings: Settings) -> None:
    assert create(settings) is None
    adapter = create(settings.model_copy(update={"mqtt_url": "mqtts://broker.example:8884"}))
    assert adapter is not None
    assert (adapter.name, adapter.config.port, adapter.config.tls) == ("mqtt", 8884, True)


def test_each_kind_becomes_its_event(settings: Settings, registry: Database, broker: Broker,
                                     device: Callable[[str], Device]) -> None:
    async def scenario() -> None:
        async with running_ingest(settings, registry, broker):
            turnstile, terminal, tracker = device("acc-01"), device("sos-01"), device("trk-7")
            turnstile.publish("access", {"action": "granted", "direction": "in", "card": CARD,
                                         "ts": "2025-03-01T08:15:30+05:00", "event_id": "a-1"})
            turnstile.publish("access", {"action": "denied", "reason": "unknown_card", "card": CARD})
            terminal.publish("sos", {"action": "button_pressed", "event_id": "s-1"})
            terminal.publish("sos", {"action": "self_test", "result": "fail", "detail": "speaker"})
            tracker.publish("gps", {"lat": 53.01, "lon": 51.17, "ts": "2025-03-01T03:00:00Z", "speed_kmh": 42.5,
                                    "heading_deg": 90, "accuracy_m": 4})
            await async_wait_for(lambda: len(outbox(registry, "ingest.access_event")) == 2
                                 and len(outbox(registry, "ingest.sos_event")) == 2
                                 and len(outbox(registry, "ingest.gps_fix")) == 1)

    asyncio.run(scenario())
    granted, denied = outbox(registry, "ingest.access_event")
    assert granted.subject_id == "ACC-01"
    assert granted.payload["action"] == "granted"
    assert granted.payload["direction"] == "in"
    assert granted.occurred_at.replace(tzinfo=UTC) == datetime(2025, 3, 1, 3, 15, 30, tzinfo=UTC)
    assert granted.context["actor"] == "device:ACC-01"
    assert denied.payload["reason"] == "unknown_card"
    # The card number is never stored, only a stable pseudonym of it.
    assert granted.payload["credential_ref"] == denied.payload["credential_ref"]
    assert len(granted.payload["credential_ref"]) == 32
    assert all(CARD not in json.dumps(row.payload) for row in outbox(registry))
    pressed, test = outbox(registry, "ingest.sos_event")
    assert (pressed.payload["action"], pressed.payload["channel"]) == ("button_pressed", "mqtt")
    assert pressed.payload["position"] == {"lon": 53.011478, "lat": 51.173893}
    assert (test.payload["action"], test.payload["result"], test.payload["detail"]) == ("self_test", "fail",
                                                                                        "speaker")
    (fix,) = outbox(registry, "ingest.gps_fix")
    assert (fix.subject_id, fix.subject_type) == ("trk-7", "tracker")
    assert fix.payload["position"] == {"lon": 51.17, "lat": 53.01}
    assert fix.payload["speed_kmh"] == 42.5
    assert fix.payload["fix_time"].startswith("2025-03-01T03:00:00")


def test_heartbeats_drive_registry_health(settings: Settings, registry: Database, broker: Broker,
                                          device: Callable[[str], Device]) -> None:
    async def scenario() -> None:
        async with running_ingest(settings, registry, broker):
            camera = device("cam-01")
            camera.publish("heartbeat", b"")
            await async_wait_for(lambda: health(registry, "CAM-01") == "online")
            for _ in range(3):
                camera.publish("heartbeat", {"status": "online"})
            camera.publish("heartbeat", {"status": "degraded", "detail": "lens fogged"})
            await async_wait_for(lambda: health(registry, "CAM-01") == "degraded")

    asyncio.run(scenario())
    changes = [row.payload for row in outbox(registry, "devices.health_changed") if row.subject_id == "CAM-01"]
    assert [(c["previous"], c["current"]) for c in changes] == [("unknown", "online"), ("online", "degraded")]
    assert changes[1]["detail"] == "lens fogged"
    assert not outbox(registry, "ingest.access_event")


def test_bad_input_is_counted_acknowledged_and_does_not_block(settings: Settings, registry: Database,
                                                              broker: Broker,
                                                              device: Callable[[str], Device]) -> None:
    async def scenario() -> None:
        async with running_ingest(settings, registry, broker) as ingest:
            ghost, turnstile = device("ghost-9"), device("acc-01")
            ghost.publish("access", {"action": "granted"})  # not in the registry
            turnstile.publish("sos", {"action": "button_pressed"})  # a turnstile has no SOS button
            turnstile.publish("access", b"{not json")
            turnstile.publish("access", {"action": "granted", "card": CARD, "colour": "red"})
            turnstile.publish("access", b"\xff" * 20000)
            turnstile.publish("access", {"action": "forced"})
            await async_wait_for(lambda: outbox(registry, "ingest.access_event"))
            assert {reason: ingest.rejected(reason) for reason in
                    ("unknown_device", "kind_not_allowed", "bad_json", "schema", "oversize")} == {
                "unknown_device": 1, "kind_not_allowed": 1, "bad_json": 1, "schema": 1, "oversize": 1}
            assert ingest.adapter.snapshot().in_flight == 0
        # They were acknowledged: a new session gets none of them again.
        async with running_ingest(settings, registry, broker) as again:
            device("acc-01").publish("access", {"action": "held_open"})
            await async_wait_for(lambda: len(outbox(registry, "ingest.access_event")) == 2)
            assert sum(again.adapter.snapshot().rejected.values()) == 0

    asyncio.run(scenario())
    assert [row.payload["action"] for row in outbox(registry, "ingest.access_event")] == ["forced", "held_open"]


def test_device_cannot_publish_as_another(settings: Settings, registry: Database, broker: Broker,
                                          device: Callable[[str], Device]) -> None:
    async def scenario() -> None:
        async with running_ingest(settings, registry, broker):
            turnstile = device("acc-01")
            turnstile.publish("sos", {"action": "button_pressed"}, device_id="sos-01")  # the broker's ACL drops it
            turnstile.publish("access", {"action": "granted"})
            await async_wait_for(lambda: outbox(registry, "ingest.access_event"))

    asyncio.run(scenario())
    assert not outbox(registry, "ingest.sos_event")


def test_redelivered_event_id_is_recorded_once(settings: Settings, registry: Database, broker: Broker,
                                               device: Callable[[str], Device]) -> None:
    async def scenario() -> None:
        async with running_ingest(settings, registry, broker) as ingest:
            terminal = device("sos-01")
            for _ in range(2):
                terminal.publish("sos", {"action": "tamper", "event_id": "boot7-0042"})
            terminal.publish("sos", {"action": "call_started", "call_id": "c-1"})
            await async_wait_for(lambda: len(outbox(registry, "ingest.sos_event")) == 2
                                 and ingest.received("duplicate") == 1)

    asyncio.run(scenario())
    assert [row.payload["action"] for row in outbox(registry, "ingest.sos_event")] == ["tamper", "call_started"]


def test_messages_sent_while_down_arrive_on_start(settings: Settings, registry: Database, broker: Broker,
                                                  device: Callable[[str], Device]) -> None:
    async def scenario() -> None:
        async with running_ingest(settings, registry, broker):
            pass  # creates the persistent session and its subscription
        tracker = device("trk-7")
        for n in range(20):
            tracker.publish("gps", {"lat": 53.0, "lon": 51.0 + n / 1000, "event_id": f"f-{n}"})
        async with running_ingest(settings, registry, broker) as ingest:
            await async_wait_for(lambda: len(outbox(registry, "ingest.gps_fix")) == 20)
            assert ingest.adapter.snapshot().session_present is True

    asyncio.run(scenario())
    assert sorted(row.payload["position"]["lon"] for row in outbox(registry, "ingest.gps_fix")) == [
        51.0 + n / 1000 for n in range(20)]


def test_reconnects_after_broker_restart(settings: Settings, registry: Database, broker: Broker) -> None:
    async def scenario() -> None:
        async with running_ingest(settings, registry, broker) as ingest:
            first = Device(broker, "trk-7")
            for n in range(5):
                first.publish("gps", {"lat": 53.0, "lon": 51.0, "event_id": f"a-{n}"})
            first.close()
            await async_wait_for(lambda: len(outbox(registry, "ingest.gps_fix")) == 5)
            await asyncio.to_thread(broker.stop)
            await async_wait_for(lambda: not ingest.adapter.snapshot().connected)
            await asyncio.to_thread(broker.start)
            second = Device(broker, "trk-7")
            for n in range(5):
                second.publish("gps", {"lat": 53.0, "lon": 51.0, "event_id": f"b-{n}"})
            second.close()
            await async_wait_for(lambda: len(outbox(registry, "ingest.gps_fix")) == 10)
            assert ingest.adapter.snapshot().connects >= 2

    asyncio.run(scenario())


def test_committed_but_unacknowledged_is_recognised_on_redelivery(settings: Settings, registry: Database,
                                                                  broker: Broker,
                                                                  device: Callable[[str], Device]) -> None:
    async def scenario() -> None:
        async with running_ingest(settings, registry, broker) as ingest:
            ingest.adapter._ack = lambda *args: None  # type: ignore[method-assign]  # a crash right after commit
            device("sos-01").publish("sos", {"action": "call_ended", "call_id": "c-9", "event_id": "e-9"})
            await async_wait_for(lambda: outbox(registry, "ingest.sos_event"))
        async with running_ingest(settings, registry, broker) as again:
            await async_wait_for(lambda: again.received("duplicate") == 1)  # redelivered with DUP, found in outbox

    asyncio.run(scenario())
    assert len(outbox(registry, "ingest.sos_event")) == 1


def test_failed_commit_is_not_acknowledged_and_comes_back(settings: Settings, registry: Database, broker: Broker,
                                                         device: Callable[[str], Device],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    failures = iter([True])

    def flaky(session: Session, rows: Sequence[BatchRow]) -> None:
        if next(failures, False):
            raise OSError("disk full")
        publish_rows(session, rows)

    monkeypatch.setattr(sink_module, "publish_rows", flaky)

    async def scenario() -> None:
        async with running_ingest(settings, registry, broker) as ingest:
            device("acc-01").publish("access", {"action": "forced"})
            await async_wait_for(lambda: outbox(registry, "ingest.access_event"))
            await async_wait_for(lambda: ingest.adapter.snapshot().committed == 1)
            snapshot = ingest.adapter.snapshot()
            assert (snapshot.commit_failures, snapshot.recycles, snapshot.connects) == (1, 1, 2)

    asyncio.run(scenario())
    assert len(outbox(registry, "ingest.access_event")) == 1
