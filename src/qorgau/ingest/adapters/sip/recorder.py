"""The SOS events of a call: each with its causal context, committed after the ones before it in the call."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable, Coroutine
from typing import Any

from qorgau.core.bus import Context
from qorgau.core.bus.types import new_event
from qorgau.ingest.adapters.sip.dialogs import Call
from qorgau.ingest.events import SOS_EVENT, Position, SosEvent
from qorgau.ingest.hub import IngestHub
from qorgau.ingest.sink import Heartbeat
from qorgau.protocols.actions import SosAction

log = logging.getLogger(__name__)

Spawn = Callable[[Coroutine[Any, Any, Any]], asyncio.Task[Any]]


class SosRecorder:
    """Commits calls' SOS events through the ingest sink, in order within each call."""

    def __init__(self, hub: IngestHub, spawn: Spawn, *, adapter: str) -> None:
        self.hub = hub
        self.adapter = adapter  # the label of the accepted/rejected counters
        self._spawn = spawn

    def emit(self, call: Call, action: SosAction, detail: str | None = None) -> asyncio.Task[bool]:
        """Commit one SOS event of the call after the ones before it; the task says whether it is durable."""
        device = call.device
        if action == SosAction.CALL_STARTED:
            ctx = Context(actor=f"device:{device.code}", simulated=device.simulated)
        else:
            ctx = Context(actor=f"device:{device.code}", correlation_id=call.correlation_id or uuid.uuid4(),
                          parent_id=call.started_event_id, simulated=device.simulated)
        payload = SosEvent(device_code=device.code, site_code=device.site_code, action=action, channel="sip",
                           position=Position(lon=device.lon, lat=device.lat), call_id=call.call_id, detail=detail)
        event = new_event(SOS_EVENT, subject_id=device.code, payload=payload, ctx=ctx)
        if action == SosAction.CALL_STARTED:
            call.started_event_id, call.correlation_id = event.id, ctx.correlation_id
        previous = call.tail

        async def commit() -> bool:
            if previous is not None:
                with contextlib.suppress(Exception):
                    await previous
            try:
                await self.hub.sink.commit([event], heartbeats=[Heartbeat(device)])
            except Exception:
                self.hub.metrics.reject(self.adapter, "commit_failed")
                log.exception("SOS event not recorded", extra={"device": device.code, "action": str(action)})
                return False
            self.hub.metrics.accept(self.adapter, "event")
            return True

        task: asyncio.Task[bool] = self._spawn(commit())
        call.tail = task
        return task
