"""Routes of the event stream: a page of past events and the live WebSocket."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Annotated, Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from qorgau.auth.deps import Require
from qorgau.auth.enums import Permission
from qorgau.auth.service import Principal
from qorgau.core.aio import within
from qorgau.core.bus.live import WAKE
from qorgau.core.pagination import DEFAULT_LIMIT, Page, decode_int_cursor, encode_cursor
from qorgau.core.time import utcnow
from qorgau.core.web import PageLimit, ReadSession, runtime_of
from qorgau.events import service

router = APIRouter(prefix="/api/events", tags=["events"])
PING_INTERVAL_S = 15.0
BATCH_MAX = 500  # messages in one batch frame: a few hundred KiB at most


@router.get("", response_model=Page[dict[str, Any]])
def list_events(_: Annotated[Principal, Require(Permission.EVENTS_READ)], db: ReadSession,
                cursor: str | None = None, limit: PageLimit = DEFAULT_LIMIT,
                name: str | None = None, subject_type: str | None = None, subject_id: str | None = None,
                ) -> Page[dict[str, Any]]:
    """Recorded events, newest first, filtered by name or subject."""
    found = service.page(db, before_seq=decode_int_cursor(cursor), limit=limit + 1, name=name,
                         subject_type=subject_type, subject_id=subject_id)
    items = [event.to_json() for event in found[:limit]]
    return Page(items=items, next_cursor=encode_cursor(items[-1]["seq"]) if len(found) > limit else None)


@router.websocket("/ws")
async def live(websocket: WebSocket, _: Annotated[Principal, Require(Permission.EVENTS_READ)],
               events: str = "", batch: bool = False) -> None:
    """Every event as it commits, in order: ``hello`` first, then ``event`` messages and ``ping``s.

    ``?batch=1``: what queued up while the last frame was being sent goes as one ``batch`` frame
    (``{"type": "batch", "messages": [...]}``), so a burst of a thousand alarms costs each client a few frames,
    not a thousand.

    ``?events=alarms.,units.`` narrows the stream to events whose names start with one of the prefixes.
    """
    runtime = runtime_of(websocket)
    await websocket.accept()
    prefixes = tuple(p.strip() for p in events.split(",") if p.strip())
    listener = runtime.live.listen(prefixes)
    runtime.metrics.live_clients.inc()
    reader = asyncio.create_task(_drain_client(websocket))
    # A client that goes (or a server that stops: it closes every live stream) must not wait for the next
    # event or ping to be noticed: a stopping server would otherwise wait out its grace period for each screen.
    reader.add_done_callback(lambda _: listener.wake())
    try:
        await websocket.send_text(json.dumps({"type": "hello", "server_time": utcnow().isoformat(),
                                              "last_seq": runtime.live.last_seq}))
        while not reader.done():
            try:
                message = await within(listener.queue.get(), PING_INTERVAL_S)
            except TimeoutError:
                await websocket.send_text('{"type":"ping"}')
                continue
            # Send what has queued up meanwhile without waiting again: a burst costs one wake-up, not one each.
            sent = 0
            while message != WAKE:
                waiting = [message]
                if batch:
                    while len(waiting) < BATCH_MAX and not listener.queue.empty():
                        waiting.append(listener.queue.get_nowait())
                    if WAKE in waiting:  # the client has gone: nothing more to send
                        break
                if len(waiting) == 1:
                    await websocket.send_text(message)
                else:  # the messages are JSON already: joined, not parsed and serialised again
                    await websocket.send_text('{"type":"batch","messages":[' + ",".join(waiting) + "]}")
                sent += len(waiting)
                try:
                    message = listener.queue.get_nowait()
                except asyncio.QueueEmpty:
                    break
            runtime.metrics.live_events.inc(sent)
            if listener.lagged.is_set():
                await websocket.close(code=1013, reason="client too slow; reconnect")
                return
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        reader.cancel()
        runtime.live.forget(listener)
        runtime.metrics.live_clients.dec()


async def _drain_client(websocket: WebSocket) -> None:
    """Read (and ignore) what the client sends, so a disconnect is noticed."""
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        while True:
            await websocket.receive_text()
