"""The ingest's MQTT subscriber over TLS with a client certificate, against a Mosquitto that requires both."""

from __future__ import annotations

import asyncio
import ssl
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from prometheus_client import CollectorRegistry

from qorgau.core.db import Database
from qorgau.ingest.adapters.mqtt.adapter import MqttAdapter
from qorgau.ingest.directory import Directory
from qorgau.ingest.hub import IngestHub
from qorgau.ingest.metrics import IngestMetrics
from qorgau.ingest.sink import Sink
from qorgau.settings import Settings
from tests.ingest.adapters.mqtt.conftest import (
    DEVICES,
    PREFIX,
    Broker,
    add_device,
    async_wait_for,
    mqtt_config,
    outbox,
    running_ingest,
)
from tests.tls.certs import Authority, make_authority


class TlsBroker(Broker):
    """The tests' Mosquitto, listening with TLS only and requiring a client certificate from the CA."""

    authority: Authority | None = None

    @property
    def url(self) -> str:
        return f"mqtts://127.0.0.1:{self.port}"

    def write_config(self) -> Path:
        conf = super().write_config()
        assert self.authority is not None
        tls = (f"cafile {self.authority.ca}\ncertfile {self.authority.server.cert}\n"
               f"keyfile {self.authority.server.key}\nrequire_certificate true\ntls_version tlsv1.2\n")
        text = conf.read_text()
        listener = f"listener {self.port} 127.0.0.1\n"
        conf.write_text(text.replace(listener, listener + tls))
        return conf


@pytest.fixture
def tls_broker(tmp_path: Path) -> Any:
    directory = tmp_path / "mosquitto"
    directory.mkdir()
    server = TlsBroker(directory)
    server.authority = make_authority(tmp_path / "pki")
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _publish_over_tls(broker: TlsBroker, user: str, payload: bytes) -> None:
    assert broker.authority is not None
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"dev-{user}", protocol=MQTTProtocolVersion.MQTTv5)
    client.tls_set(ca_certs=str(broker.authority.ca), certfile=str(broker.authority.client.cert),
                   keyfile=str(broker.authority.client.key), tls_version=ssl.PROTOCOL_TLS_CLIENT)
    client.username_pw_set(user, DEVICES[user])
    client.connect("127.0.0.1", broker.port, keepalive=30)
    client.loop_start()
    try:
        client.publish(f"{PREFIX}/{user}/sos", payload, qos=1).wait_for_publish(timeout=10)
    finally:
        client.disconnect()
        client.loop_stop()


def test_subscriber_receives_over_mutual_tls(settings: Settings, db: Database, tls_broker: TlsBroker) -> None:
    add_device(db, "SOS-01", "sos_terminal", "sos-01")
    authority = tls_broker.authority
    assert authority is not None

    async def scenario() -> None:
        async with running_ingest(settings, db, tls_broker, ca_file=authority.ca, cert_file=authority.client.cert,
                                  key_file=authority.client.key) as ingest:
            assert ingest.adapter.config.tls
            await asyncio.to_thread(_publish_over_tls, tls_broker, "sos-01",
                                    b'{"action": "button_pressed", "event_id": "tls-1"}')
            await async_wait_for(lambda: len(outbox(db, "ingest.sos_event")) == 1)

    asyncio.run(scenario())
    (event,) = outbox(db, "ingest.sos_event")
    assert event.subject_id == "SOS-01" and event.payload["action"] == "button_pressed"


@pytest.mark.parametrize("fault", ["unknown_ca", "no_client_certificate"])
def test_subscriber_does_not_connect_without_trust_both_ways(
    settings: Settings, db: Database, tls_broker: TlsBroker, tmp_path: Path, fault: str
) -> None:
    authority = tls_broker.authority
    assert authority is not None
    stranger = make_authority(tmp_path / "other-pki", "Someone else's CA")
    extra: dict[str, Any] = ({"ca_file": stranger.ca, "cert_file": authority.client.cert,
                              "key_file": authority.client.key} if fault == "unknown_ca" else {"ca_file": authority.ca})

    async def scenario() -> bool:
        registry = CollectorRegistry()
        directory = Directory(db, refresh_s=0.2)
        metrics = IngestMetrics(registry)
        sink = Sink(db, directory, metrics)
        hub = IngestHub(settings=settings, db=db, directory=directory, sink=sink, metrics=metrics)
        adapter = MqttAdapter(mqtt_config(settings, tls_broker, **extra))
        await directory.start()
        sink.start()
        try:
            await adapter.start(hub)
            ready = await adapter.wait_ready(3)
            await adapter.stop()
            return ready
        finally:
            await asyncio.to_thread(sink.stop)
            await directory.stop()

    assert asyncio.run(scenario()) is False
