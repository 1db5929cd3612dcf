"""Fixtures of the ingest tests: a running ingest (directory, writer, adapters) on a test database."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from prometheus_client import CollectorRegistry
from sqlalchemy import select

from qorgau.audit.service import Actor
from qorgau.core.bus import Context
from qorgau.core.bus.models import OutboxEvent
from qorgau.core.db import Database
from qorgau.devices import service as device_service
from qorgau.devices.schemas import DeviceCreate
from qorgau.ingest.runner import IngestRunner
from qorgau.protocols.dc09.parser import Frame, parse_frame
from qorgau.protocols.dc09.render import render_frame
from qorgau.settings import Settings

CTX = Context.system("test")
ACTOR = Actor(ref="system:test", name="pytest", source="test")
LON, LAT = 53.0301, 51.1712  # Aksai


def ingest_settings(settings: Settings, **extra: Any) -> Settings:
    """Test settings with every listener on a free port and only the adapters a test asks for."""
    base: dict[str, Any] = {"dc09_tcp_port": 0, "dc09_udp_port": 0, "sip_port": 0, "sip_enabled": False,
                            "mqtt_url": None, "dc09_enabled": True,
                            "ingest_writer_process": False}
    return settings.model_copy(update=base | extra)


def add_panel(db: Database, code: str = "PNL-0001", account: str = "1234", *, key: str | None = None,
              **extra: Any) -> None:
    body: dict[str, Any] = {
        "code": code, "kind": "alarm_panel", "name_kk": "Мектеп дабылы", "name_ru": "Тревога школы", "lon": LON,
        "lat": LAT, "lifecycle": "commissioned", "dc09_key": key,
        "identifiers": {"dc09": {"receiver": "1", "line": "1", "account": account}},
        "zones": [{"number": 1, "kind": "panic", "name": "Вахта"}, {"number": 15, "kind": "door", "name": "Кіреберіс"}],
    }
    with db.unit_of_work() as session:
        device_service.create(session, device_in=DeviceCreate.model_validate(body | extra), actor=ACTOR, ctx=CTX)


def stored(db: Database, name: str) -> list[OutboxEvent]:
    with db.reading() as session:
        return list(session.scalars(select(OutboxEvent).where(OutboxEvent.name == name).order_by(OutboxEvent.seq)))


@asynccontextmanager
async def running_ingest(settings: Settings, db: Database, **extra: Any) -> AsyncIterator[IngestRunner]:
    """An IngestRunner started inside the test's event loop, stopped at the end."""
    runner = IngestRunner(ingest_settings(settings, **extra), db, CollectorRegistry())
    await runner.start()
    try:
        yield runner
    finally:
        await runner.stop()


async def eventually(check: Callable[[], bool], timeout: float = 15.0) -> None:
    """Wait generously for a condition that another thread or process makes true."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


def rejected(runner: IngestRunner, adapter: str, reason: str) -> float:
    return runner.hub.metrics.value("qorgau_ingest_rejected_total", adapter=adapter, reason=reason)


def send_panic(port: int, account: str = "1234", sequence: int = 42) -> Frame:
    """A Contact ID 120 (panic) from zone 001 over DC-09 on TCP, as a panel sends it; returns the answer."""
    frame = render_frame(Frame(message_type="ADM-CID", sequence=sequence, receiver="1", prefix="1", account=account,
                               data=f"#{account}|1120 01 001"))
    with socket.create_connection(("127.0.0.1", port), timeout=10) as panel:
        panel.sendall(frame)
        answer = b""
        while not answer.endswith(b"\r"):
            answer += panel.recv(512)
    return parse_frame(answer)
