"""Fixtures of the MQTT adapter tests: a private Mosquitto per test, the registry's MQTT devices, the ingest core."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from prometheus_client import CollectorRegistry
from sqlalchemy import select

from qorgau.core.bus import Context
from qorgau.core.bus.models import OutboxEvent
from qorgau.core.db import Database
from qorgau.devices import service
from qorgau.devices.schemas import DeviceCreate
from qorgau.ingest.adapters.mqtt.adapter import MqttAdapter
from qorgau.ingest.adapters.mqtt.config import MqttConfig
from qorgau.ingest.directory import Directory
from qorgau.ingest.hub import IngestHub
from qorgau.ingest.metrics import IngestMetrics
from qorgau.ingest.sink import Sink
from qorgau.settings import Settings
from tests.conftest import CLI_ACTOR

MOSQUITTO = "/usr/sbin/mosquitto"
MOSQUITTO_PASSWD = "/usr/bin/mosquitto_passwd"
PREFIX = "qorgau/v1"
QORGAU_USER, QORGAU_PASSWORD = "qorgau", "qorgau-secret"
# Device logins: the user name is the registry's MQTT client id (the ACL's %u).
DEVICES = {"acc-01": "pw-acc", "sos-01": "pw-sos", "cam-01": "pw-cam", "trk-7": "pw-trk", "ghost-9": "pw-ghost"}
CENTRE = (53.011478, 51.173893)  # lon, lat: Aksai


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(predicate: Callable[[], Any], timeout: float = 15.0, interval: float = 0.02) -> Any:
    """Poll until `predicate` returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)


async def async_wait_for(predicate: Callable[[], Any], timeout: float = 15.0) -> Any:
    return await asyncio.to_thread(wait_for, predicate, timeout)


@dataclass
class Broker:
    """A Mosquitto of the test's own, on a free port, with persistence, passwords and the documented ACL."""

    directory: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def write_config(self) -> Path:
        passwords = self.directory / "passwd"
        passwords.write_text("".join(f"{user}:{pw}\n" for user, pw in {QORGAU_USER: QORGAU_PASSWORD,
                                                                        **DEVICES}.items()))
        subprocess.run([MOSQUITTO_PASSWD, "-U", str(passwords)], check=True, capture_output=True)
        acl = self.directory / "acl"
        acl.write_text(f"user {QORGAU_USER}\ntopic read {PREFIX}/#\n\npattern write {PREFIX}/%u/+\n")
        data = self.directory / "data"
        data.mkdir(exist_ok=True)
        conf = self.directory / "mosquitto.conf"
        conf.write_text("\n".join([
            f"listener {self.port} 127.0.0.1", "allow_anonymous false", f"password_file {passwords}",
            f"acl_file {acl}", "persistence true", f"persistence_location {data}/", "max_queued_messages 100000",
            "queue_qos0_messages false", "max_inflight_messages 1000", f"log_dest file {self.directory}/broker.log",
            "log_type error", "log_type warning",
            # Run as root (CI containers), Mosquitto would switch to a user that cannot read the test's files.
            *(["user root"] if os.geteuid() == 0 else []), "",
        ]))
        return conf

    def start(self) -> None:
        conf = self.directory / "mosquitto.conf"
        if not conf.exists():
            self.write_config()
        self.process = subprocess.Popen([MOSQUITTO, "-c", str(conf)], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)

        def listening() -> bool:
            if self.process is not None and self.process.poll() is not None:
                raise AssertionError(f"mosquitto exited: {(self.directory / 'broker.log').read_text()}")
            with socket.socket() as sock:
                return sock.connect_ex(("127.0.0.1", self.port)) == 0

        wait_for(listening, timeout=10)

    def stop(self) -> None:
        """Stop gracefully (SIGTERM), so the broker saves its persistent sessions and queues."""
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    directory = tmp_path / "mosquitto"
    directory.mkdir()
    server = Broker(directory)
    server.start()
    try:
        yield server
    finally:
        server.stop()


class Device:
    """A device's own MQTT client (logged in as itself), publishing QoS 1 and waiting for the broker's PUBACK."""

    def __init__(self, broker: Broker, user: str, *, password: str | None = None) -> None:
        self.user = user
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"dev-{user}",
                                  protocol=MQTTProtocolVersion.MQTTv5)
        self.client.username_pw_set(user, password or DEVICES[user])
        self.client.connect("127.0.0.1", broker.port, keepalive=30)
        self.client.loop_start()

    def publish(self, kind: str, payload: dict[str, Any] | bytes | str, *, device_id: str | None = None,
                qos: int = 1, retain: bool = False) -> None:
        body = json.dumps(payload).encode() if isinstance(payload, dict) else payload
        info = self.client.publish(f"{PREFIX}/{device_id or self.user}/{kind}", body, qos=qos, retain=retain)
        info.wait_for_publish(timeout=10)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def device(broker: Broker) -> Iterator[Callable[[str], Device]]:
    opened: list[Device] = []

    def open_device(user: str) -> Device:
        dev = Device(broker, user)
        opened.append(dev)
        return dev

    yield open_device
    for dev in opened:
        dev.close()


def add_device(db: Database, code: str, kind: str, mqtt_id: str, **extra: Any) -> None:
    lon, lat = CENTRE
    body: dict[str, Any] = {"code": code, "kind": kind, "name_kk": code, "name_ru": code, "lon": lon, "lat": lat,
                            "lifecycle": "commissioned", "identifiers": {"mqtt_client_id": mqtt_id}} | extra
    if kind == "camera":
        body["purpose"] = "public_space"
    with db.unit_of_work() as session:
        service.create(session, device_in=DeviceCreate.model_validate(body), actor=CLI_ACTOR,
                       ctx=Context.system("test"))


@pytest.fixture
def registry(db: Database) -> Database:
    """A turnstile, an SOS terminal and a camera, each with its MQTT client id."""
    add_device(db, "ACC-01", "access_point", "acc-01")
    add_device(db, "SOS-01", "sos_terminal", "sos-01")
    add_device(db, "CAM-01", "camera", "cam-01")
    return db


def mqtt_config(settings: Settings, broker: Broker, **extra: Any) -> MqttConfig:
    with_broker = settings.model_copy(update={"mqtt_url": broker.url, "mqtt_username": QORGAU_USER})
    config = MqttConfig.from_settings(with_broker)
    assert config is not None
    from pydantic import SecretStr

    return config.model_copy(update={"password": SecretStr(QORGAU_PASSWORD), "reconnect_max_s": 1,
                                     "drain_timeout_s": 2.0, **extra})


@dataclass
class Ingest:
    """The ingest core and the MQTT adapter, started inside a test's event loop."""

    hub: IngestHub
    adapter: MqttAdapter
    registry: CollectorRegistry

    async def start_adapter(self) -> None:
        await self.adapter.start(self.hub)
        assert await self.adapter.wait_ready(10)

    async def stop_adapter(self) -> None:
        await self.adapter.stop()

    def rejected(self, reason: str) -> float:
        value = self.registry.get_sample_value("qorgau_ingest_rejected_total", {"adapter": "mqtt", "reason": reason})
        return value or 0.0

    def received(self, outcome: str) -> float:
        value = self.registry.get_sample_value("qorgau_ingest_received_total", {"adapter": "mqtt",
                                                                                "outcome": outcome})
        return value or 0.0


@contextlib.asynccontextmanager
async def running_ingest(settings: Settings, db: Database, broker: Broker, **config: Any) -> AsyncIterator[Ingest]:
    metrics_registry = CollectorRegistry()
    directory = Directory(db, refresh_s=0.2)
    metrics = IngestMetrics(metrics_registry)
    sink = Sink(db, directory, metrics)
    hub = IngestHub(settings=settings, db=db, directory=directory, sink=sink, metrics=metrics)
    ingest = Ingest(hub, MqttAdapter(mqtt_config(settings, broker, **config)), metrics_registry)
    await directory.start()
    sink.start()
    try:
        await ingest.start_adapter()
        yield ingest
    finally:
        await ingest.stop_adapter()
        await asyncio.to_thread(sink.stop)
        await directory.stop()


def outbox(db: Database, name: str | None = None) -> list[OutboxEvent]:
    with db.reading() as session:
        query = select(OutboxEvent).order_by(OutboxEvent.seq)
        if name is not None:
            query = query.where(OutboxEvent.name == name)
        return list(session.scalars(query))
