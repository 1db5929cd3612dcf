"""The voice process (`qorgau voice run`): the SIP listener with the media bridge as its hooks, and the control API.

It is a process of its own (ADR 0045): media clocks and WebRTC must not share an event loop with the web server.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Annotated

import typer
from prometheus_client import CollectorRegistry

if TYPE_CHECKING:
    from fastapi import FastAPI

    from qorgau.core.db import Database
    from qorgau.ingest.adapters.sip.adapter import SipAdapter
    from qorgau.settings import Settings
    from qorgau.voice.bridge.host import Bridge

log = logging.getLogger(__name__)


def register(voice_app: typer.Typer) -> None:
    """Add `run` to the `qorgau voice` group (once, however often the CLI is built)."""
    if any(command.callback is run for command in voice_app.registered_commands):
        return
    voice_app.command("run")(run)


def run(
    port: Annotated[int | None, typer.Option(help="Control API port (default: voice_control_port).")] = None,
) -> None:
    """Run the voice process: SIP for SOS terminals and the 102 trunk, the media bridge, the recorder."""
    import uvicorn

    from qorgau.runtime.commands import _service_settings

    settings = _service_settings()
    uvicorn.run(create_voice_app(settings), host="127.0.0.1", port=port or settings.voice_control_port,
                log_config=None, proxy_headers=False, timeout_graceful_shutdown=settings.shutdown_grace_s)


class VoiceProcess:
    """The SIP listener, hosted with the bridge's hooks, on the ingest's directory and event sink."""

    def __init__(self, settings: Settings, db: Database, registry: CollectorRegistry) -> None:
        from qorgau.ingest.adapters.sip.adapter import SipAdapter
        from qorgau.ingest.adapters.sip.config import SipConfig, SipSettings
        from qorgau.ingest.runner import IngestRunner
        from qorgau.voice.bridge.config import VoiceTrunkSettings
        from qorgau.voice.bridge.host import Bridge
        from qorgau.voice.bridge.rtp import PortPool
        from qorgau.voice.bridge.trunk import TrunkHooks

        # Its hub only (the adapters are not started here). A few SOS events per call need no writer process of
        # their own: the writer thread saves that process's memory and its start-up (seconds on a busy machine).
        self.runner = IngestRunner(settings.model_copy(update={"ingest_writer_process": False}), db, registry)
        config = SipConfig.from_settings(settings.part(SipSettings))
        host = config.media_host or config.host
        self.pool = PortPool(config.media_port_min, config.media_port_max, host=host)
        self.bridge: Bridge = Bridge(db, self.pool, settings.voice_recordings_dir, registry=registry)
        self.sip: SipAdapter = SipAdapter(config, hooks=self.bridge)
        self.trunk: SipAdapter | None = None
        trunk = self.trunk_settings = settings.part(VoiceTrunkSettings)
        if trunk.voice_trunk_enabled:
            hooks = TrunkHooks(self.bridge)
            hosts = frozenset(trunk.voice_trunk_hosts)
            self.trunk = SipAdapter(config.model_copy(update={"port": trunk.voice_trunk_port}), hooks=hooks,
                                    uas=lambda hub, conf, h: hooks.make_uas(hub, conf, h, hosts=hosts))

    async def start(self) -> None:
        hub = self.runner.hub
        await hub.directory.start()
        await asyncio.to_thread(hub.sink.start)
        await self.sip.start(hub)
        if self.trunk is not None:
            await self.trunk.start(hub)
        if self.sip.uas is not None:  # always, once started
            self.bridge.hangup_sip = self.sip.uas.hangup
        self.bridge.dial_from("terminals", self.sip)  # callbacks leave from the socket they came in on
        if self.trunk is not None:
            self.bridge.dial_from("trunk", self.trunk, proxy=self.trunk_settings.proxy(),
                                  credentials=self.trunk_settings.credentials())
        log.info("voice process started", extra={"sip_port": self.sip.port,
                                                 "trunk_port": self.trunk.port if self.trunk else None})

    async def stop(self) -> None:
        for dialer in self.bridge.dialers.values():
            dialer.uac.stop()  # our callbacks still up hear a BYE (or CANCEL) before the sockets close
        if self.trunk is not None:
            await self.trunk.stop()
        await self.sip.stop()
        await self.bridge.stop()
        await asyncio.to_thread(self.runner.hub.sink.stop)
        await self.runner.hub.directory.stop()


def create_voice_app(settings: Settings) -> FastAPI:
    """The voice process as an ASGI app: the control API, with the SIP listener and bridge in its lifespan."""
    from qorgau.api.guards import unguarded_routes
    from qorgau.runtime.process import build_runtime, load_domains
    from qorgau.voice.bridge.api import create_control_app
    from qorgau.voice.control import control_token

    load_domains()
    runtime = build_runtime(settings)
    process = VoiceProcess(settings, runtime.db, runtime.metrics.registry)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.transport.start()
        await process.start()
        app.state.sip_port = process.sip.port
        try:
            yield
        finally:
            await process.stop()
            await runtime.transport.stop()
            runtime.db.dispose()

    app = create_control_app(process.bridge, control_token(settings), lifespan)
    app.state.voice = process
    missing = unguarded_routes(app)
    if missing:
        raise RuntimeError(f"routes without a declared permission: {', '.join(missing)}")
    return app
