"""Starts the ingest: the registry directory, the group-commit writer and every enabled adapter.

Used inside `qorgau serve` (setting `ingest_in_serve`) and by `qorgau ingest` as a process of its own; either way
events reach the server's readers through the outbox and its cross-process wake-ups.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from collections.abc import Callable

from prometheus_client import CollectorRegistry

from qorgau.core.db import Database
from qorgau.ingest.adapters.base import Adapter
from qorgau.ingest.config import IngestSettings
from qorgau.ingest.directory import Directory
from qorgau.ingest.hub import IngestHub
from qorgau.ingest.metrics import IngestMetrics
from qorgau.ingest.sink import Sink
from qorgau.ingest.writer_process import RemoteWriter

log = logging.getLogger(__name__)

# Each module has `create(settings) -> Adapter | None` (None when its settings switch it off).
ADAPTER_MODULES: tuple[str, ...] = (
    "qorgau.ingest.adapters.sia_dc09.adapter",
    "qorgau.ingest.adapters.mqtt.adapter",
    "qorgau.ingest.adapters.sip.adapter",
)


class IngestRunner:
    def __init__(self, settings: IngestSettings, db: Database, registry: CollectorRegistry) -> None:
        directory = Directory(db)
        metrics = IngestMetrics(registry)
        remote = RemoteWriter(settings) if settings.ingest_writer_process else None
        sink = Sink(db, directory, metrics, max_batch=settings.ingest_max_batch, remote=remote)
        self.hub = IngestHub(settings=settings, db=db, directory=directory, sink=sink, metrics=metrics)
        self.adapters: dict[str, Adapter] = {}

    async def start(self) -> None:
        await self.hub.directory.start()
        await asyncio.to_thread(self.hub.sink.start)  # may start the writer process
        for name in ADAPTER_MODULES:
            create: Callable[[IngestSettings], Adapter | None] = importlib.import_module(name).create
            if name.endswith(".sip.adapter") and getattr(self.hub.settings, "voice_enabled", False):
                continue  # the voice process hosts the SIP listener, with the media bridge (ADR 0045)
            adapter = create(self.hub.settings)
            if adapter is None:
                continue
            try:
                await adapter.start(self.hub)
            except OSError as exc:
                # A port already taken must not keep the server (or the other adapters) from starting.
                log.error("ingest adapter could not start: %s", exc, extra={"adapter": adapter.name})
                self.hub.metrics.reject(adapter.name, "start_failed")
                continue
            self.adapters[adapter.name] = adapter
            log.info("ingest adapter started", extra={"adapter": adapter.name})

    async def stop(self) -> None:
        for adapter in reversed(list(self.adapters.values())):
            try:
                await adapter.stop()
            except Exception:
                log.exception("ingest adapter did not stop cleanly", extra={"adapter": adapter.name})
        self.adapters.clear()
        await asyncio.to_thread(self.hub.sink.stop)
        await self.hub.directory.stop()
