"""SIP listener fixtures: registered terminals, a running listener on a free port, sipp as the peer."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import select

import qorgau.ingest.adapters.sip.models  # noqa: F401 - the call records' table in the metadata
from qorgau.core.aio import within
from qorgau.core.bus import Context
from qorgau.core.bus.models import OutboxEvent
from qorgau.core.db import Database
from qorgau.devices import service as device_service
from qorgau.devices.schemas import DeviceCreate
from qorgau.ingest.adapters.sip.adapter import SipAdapter
from qorgau.ingest.adapters.sip.config import SipConfig
from qorgau.ingest.adapters.sip.models import SipCall
from qorgau.ingest.directory import Directory
from qorgau.ingest.hub import IngestHub
from qorgau.ingest.metrics import IngestMetrics
from qorgau.ingest.sink import Sink
from qorgau.settings import Settings
from tests.conftest import CLI_ACTOR

SCENARIOS = Path(__file__).parent / "scenarios"
OPEN_USER, AUTH_USER, PASSWORD = "7001", "7002", "s3cret-pass"
LON, LAT = 53.011478, 51.173893


def terminal(code: str, user: str, **extra: Any) -> DeviceCreate:
    return DeviceCreate.model_validate({
        "code": code, "kind": "sos_terminal", "name_kk": "SOS бағаны", "name_ru": "SOS стойка", "lon": LON,
        "lat": LAT, "lifecycle": "commissioned", "identifiers": {"sip_user": user}, **extra,
    })


@pytest.fixture
def terminals(db: Database) -> Database:
    """SOS-0001 (user 7001, no password) and SOS-0002 (user 7002, digest password)."""
    with db.unit_of_work() as session:
        for device in (terminal("SOS-0001", OPEN_USER), terminal("SOS-0002", AUTH_USER, password=PASSWORD)):
            device_service.create(session, device_in=device, actor=CLI_ACTOR, ctx=Context.system("test"))
    return db


@dataclass
class Listener:
    adapter: SipAdapter
    hub: IngestHub
    registry: CollectorRegistry

    @property
    def port(self) -> int:
        return self.adapter.port

    def rejected(self, reason: str) -> float:
        value = self.registry.get_sample_value("qorgau_ingest_rejected_total", {"adapter": "sip", "reason": reason})
        return value or 0.0

    async def settle(self) -> None:
        """Let queued commits and call records land."""
        await asyncio.sleep(0.05)
        assert self.adapter.uas is not None
        await self.adapter.uas.store.drain()


@asynccontextmanager
async def listening(db: Database, settings: Settings, **config: Any) -> AsyncIterator[Listener]:
    registry = CollectorRegistry()
    directory = Directory(db, refresh_s=0.2)
    metrics = IngestMetrics(registry)
    sink = Sink(db, directory, metrics)
    hub = IngestHub(settings=settings, db=db, directory=directory, sink=sink, metrics=metrics)
    await directory.start()
    sink.start()
    adapter = SipAdapter(SipConfig(host="127.0.0.1", port=0, **config))
    await adapter.start(hub)
    try:
        yield Listener(adapter, hub, registry)
    finally:
        await adapter.stop()
        await asyncio.to_thread(stop_sink, sink)
        await directory.stop()


def stop_sink(sink: Sink) -> None:
    sink.stop()


def free_port() -> int:
    """A port free for both UDP and TCP on 127.0.0.1 (for sipp's own socket)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("127.0.0.1", 0))
            port = int(udp.getsockname()[1])
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                try:
                    tcp.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
    raise RuntimeError("no free port")


async def sipp(port: int, scenario: str, user: str, tmp: Path, *, tcp: bool = False, extra: tuple[str, ...] = ()
               ) -> tuple[int, str]:
    """Run one sipp call of `scenario` against the listener; its exit code and the error log."""
    errors = tmp / f"{scenario}-{user}-{time.monotonic_ns()}.log"
    args = ["sipp", f"127.0.0.1:{port}", "-sf", str(SCENARIOS / scenario), "-s", user, "-m", "1", "-l", "1",
            "-i", "127.0.0.1", "-p", str(free_port()), "-mp", str(free_port()), "-nostdin", "-recv_timeout", "5000",
            "-trace_err", "-error_file", str(errors), "-t", "t1" if tcp else "u1", *extra]
    process = await asyncio.create_subprocess_exec(*args, stdout=asyncio.subprocess.DEVNULL,
                                                   stderr=asyncio.subprocess.PIPE, cwd=tmp)
    _, stderr = await within(process.communicate(), 30)
    log = errors.read_text(errors="replace") if errors.exists() else ""
    return process.returncode or 0, log + stderr.decode(errors="replace")


def sos_events(db: Database) -> list[dict[str, Any]]:
    with db.reading() as session:
        rows = session.scalars(select(OutboxEvent).where(OutboxEvent.name == "ingest.sos_event")
                               .order_by(OutboxEvent.seq))
        return [row.payload | {"_context": row.context} for row in rows]


def call_records(db: Database) -> list[SipCall]:
    with db.reading() as session:
        return list(session.scalars(select(SipCall).order_by(SipCall.id)))


async def wait_for_events(db: Database, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while True:
        found = await asyncio.to_thread(sos_events, db)
        if len(found) >= count or time.monotonic() > deadline:
            return found
        await asyncio.sleep(0.05)


@pytest.fixture
def run() -> Any:
    """asyncio.run for the test's coroutine."""
    return asyncio.run
