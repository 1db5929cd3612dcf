"""Signals of simulated devices are simulated, and so is everything they cause (alarms, incidents)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import select

from qorgau import domains
from qorgau.alarms.models import Alarm
from qorgau.core.bus.outbox import read_after
from qorgau.core.db import Database
from qorgau.core.time import utcnow
from qorgau.incidents.models import Incident
from qorgau.ingest.adapters.mqtt.parser import Accepted, Parser
from qorgau.ingest.adapters.webhook import service as webhook_service
from qorgau.ingest.adapters.webhook.parser import sign
from qorgau.ingest.adapters.webhook.schemas import VendorEventIn
from qorgau.ingest.directory import DeviceRef
from qorgau.ingest.hub import IngestHub
from qorgau.settings import Settings
from tests.conftest import run_async
from tests.ingest.adapters.webhook.conftest import add_device, add_integration
from tests.ingest.conftest import add_panel, eventually, running_ingest, send_panic, stored


def _deliver_all(db: Database) -> None:
    """Every committed event to every subscriber, in order, until nothing new comes (what the dispatcher does)."""
    subscribers = domains.subscribers()
    seq = 0
    while True:
        with db.reading() as session:
            pending = read_after(session, seq, limit=10_000)
        if not pending:
            return
        for event in pending:
            for subscriber in subscribers:
                if subscriber.wants(event):
                    with db.unit_of_work() as session:
                        subscriber.handler(session, event)
        seq = pending[-1].seq


def test_a_dc09_panic_of_a_simulated_panel_ends_as_a_simulated_alarm(settings: Settings, db: Database) -> None:
    add_panel(db, "PNL-0001", "1234", simulated=True)
    add_panel(db, "PNL-0002", "1235")

    async def scenario() -> None:
        async with running_ingest(settings, db) as runner:
            port = runner.adapters["sia_dc09"].tcp_port  # type: ignore[attr-defined]
            for account in ("1234", "1235"):
                assert (await asyncio.to_thread(send_panic, port, account)).message_type == "ACK"
            await eventually(lambda: len(stored(db, "ingest.panel_event")) == 2)

    run_async(scenario())
    signals = {e.subject_id: e.context["simulated"] for e in stored(db, "ingest.panel_event")}
    assert signals == {"PNL-0001": True, "PNL-0002": False}
    _deliver_all(db)
    with db.reading() as session:
        alarms = {a.device_code: a.simulated for a in session.scalars(select(Alarm))}
        incidents = {i.simulated for i in session.scalars(select(Incident))}
    assert alarms == {"PNL-0001": True, "PNL-0002": False}
    assert incidents == {True, False}  # the panic opens an incident at once; only the real one counts
    raised = {e.payload["device_code"]: e.context["simulated"] for e in stored(db, "alarms.raised")}
    assert raised == {"PNL-0001": True, "PNL-0002": False}


NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def _ref(number: int, code: str, kind: str, *, simulated: bool) -> DeviceRef:
    return DeviceRef(id=number, code=code, kind=kind, site_code=None, lon=53.0, lat=51.17,
                     lifecycle="commissioned", supervision_interval_s=300, simulated=simulated)


def test_mqtt_messages_of_simulated_devices_and_trackers_are_simulated() -> None:
    devices = {"aksai-sos-001": _ref(1, "SOS-01", "sos_terminal", simulated=True),
               "sos-real": _ref(2, "SOS-02", "sos_terminal", simulated=False),
               "sim-gps-01": _ref(3, "TRK-01", "access_point", simulated=True)}
    parser = Parser(prefix="qorgau/v1", find=devices.get, credential_key=b"k" * 32, context=IngestHub.context,
                    clock=lambda: NOW)

    def simulated(topic: str, payload: str) -> bool:
        result = parser.parse(topic, payload.encode())
        assert isinstance(result, Accepted), result
        (event,) = result.events
        return event.context.simulated

    assert simulated("qorgau/v1/aksai-sos-001/sos", '{"action":"button_pressed"}')
    assert not simulated("qorgau/v1/sos-real/sos", '{"action":"button_pressed"}')
    assert simulated("qorgau/v1/sim-gps-01/gps", '{"lat":51.17,"lon":53.0}')
    assert not simulated("qorgau/v1/trk-9/gps", '{"lat":51.17,"lon":53.0}')


def test_vendor_events_about_a_simulated_device_are_simulated(db: Database) -> None:
    secret = add_integration(db)
    add_device(db, "ACC-0001", simulated=True)
    add_device(db, "ACC-0002")
    now = utcnow()
    stamp = str(int(now.timestamp()))
    with db.reading() as session:
        verified = webhook_service.authenticate(session, name="acme", timestamp=stamp, body=b"{}", now=now,
                                                signature=sign(secret, stamp, b"{}"), tolerance_s=300)
    for number, device in enumerate(("ACC-0001", "ACC-0002", None), 1):
        body = {"event_id": f"evt-{number}", "type": "line_crossing", "occurred_at": now.isoformat(),
                "device": device}
        with db.unit_of_work() as session:
            webhook_service.record(session, verified=verified, event_in=VendorEventIn.model_validate(body))
    flags = {e.payload["device_code"]: e.context["simulated"] for e in stored(db, "ingest.vendor_event")}
    assert flags == {"ACC-0001": True, "ACC-0002": False, None: False}
