"""Live view and snapshots in the browser: the web server relays the owning video worker's fMP4 over a WebSocket.

The browser's WebSocket ``/api/video/cameras/{code}/live?stream=sub|main`` gets a first text message
``{"mime": ...}`` then the init segment and one fragment per frame, each a binary message. On a failure it gets one
text message ``{"error": code, "message": translated, "state": ...}`` and a close with a 4xxx code whose reason is
the error code (a close reason holds 123 bytes: too few for a sentence in Kazakh).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
import time
from dataclasses import dataclass
from typing import Annotated, Any, cast

from fastapi import APIRouter, Query, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.requests import HTTPConnection

from qorgau.audit import service as audit
from qorgau.audit.enums import Outcome
from qorgau.auth.deps import Authenticated, Require
from qorgau.auth.enums import Permission
from qorgau.auth.service import Principal
from qorgau.core.aio import within
from qorgau.core.errors import NotFound, QorgauError
from qorgau.core.i18n import translate
from qorgau.core.time import utcnow
from qorgau.core.web import ReadSession, client_source, language, runtime_of
from qorgau.video import leases
from qorgau.video.access import camera_for, camera_seen
from qorgau.video.config import VideoSettings
from qorgau.video.contracts import worker_for
from qorgau.video.enums import StreamKind, ViewKind
from qorgau.video.models import VideoCamera

router = APIRouter(prefix="/api/video", tags=["video"])
log = logging.getLogger(__name__)
CONNECT_TIMEOUT_S = 3.0
ANSWER_EXTRA_S = 5.0  # beyond the worker's own wait for a first key frame
HEADER = 4
CLOSE_NOT_FOUND, CLOSE_UNAVAILABLE, CLOSE_ERROR = 4404, 4503, 4500
StreamQuery = Annotated[StreamKind, Query(description="sub: the light stream for tiles; main: full resolution.")]


@dataclass(frozen=True)
class Camera:
    device_id: int
    code: str
    masks: list[list[list[float]]]


class RelayRefused(QorgauError):
    """The worker could not serve the stream (503, with the camera's state)."""

    status = 503


def _camera(session: Session, *, code: str, principal: Principal, administering: bool = False) -> Camera:
    """The camera and its masks; ``administering``: a video administrator may take any camera's picture."""
    find = camera_seen if administering else camera_for
    device = find(session, code=code, principal=principal, permission=Permission.VIDEO_VIEW)
    masks = session.scalar(select(VideoCamera.privacy_masks).where(VideoCamera.device_id == device.id))
    return Camera(device.id, device.code, list(masks or []))


def _settings(conn: HTTPConnection) -> VideoSettings:
    return cast(VideoSettings, runtime_of(conn).settings)


async def _open_relay(conn: HTTPConnection, camera: Camera, *, op: str, stream: StreamKind
                      ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter, dict[str, Any]]:
    """Connect to the owning worker and send the request; its answer line (ok or not) and the open stream."""
    settings = _settings(conn)
    host, port = "127.0.0.1", settings.video_live_port + worker_for(camera.device_id, settings.workers_count())
    if settings.video_assignment == "leases":  # the worker that holds the camera's lease, on whichever host
        with runtime_of(conn).db.reading() as session:
            address = leases.relay_address(session, device_id=camera.device_id, here=socket.gethostname())
        if address is None:
            raise RelayRefused("video.worker_unavailable")
        host, port = address
    try:
        reader, writer = await within(asyncio.open_connection(host, port), CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError) as exc:
        raise RelayRefused("video.worker_unavailable") from exc
    request = {"op": op, "device_id": camera.device_id, "stream": str(stream), "masks": camera.masks,
               "transcode": bool(camera.masks)}
    try:
        writer.write(json.dumps(request).encode() + b"\n")
        line = await within(reader.readline(), settings.video_connect_timeout_s + ANSWER_EXTRA_S)
        answer = json.loads(line) if line else {"ok": False, "code": "video.worker_unavailable"}
    except (OSError, TimeoutError, ValueError) as exc:
        writer.close()
        raise RelayRefused("video.worker_unavailable") from exc
    if not answer.get("ok"):
        writer.close()
        code = str(answer.get("code") or "video.stream_unavailable")
        if code == "video.camera_not_found":  # the worker has not read the camera (yet): not streamable now
            code = "video.stream_unavailable"
        raise RelayRefused(code, params={"state": str(answer.get("state") or "unknown")},
                           extra={"state": answer.get("state")})
    return reader, writer, answer


async def _read_message(reader: asyncio.StreamReader) -> bytes:
    size = int.from_bytes(await reader.readexactly(HEADER), "big")
    return await reader.readexactly(size)


def _record(conn: HTTPConnection, principal: Principal, *, action: str, code: str, outcome: Outcome,
            details: dict[str, Any]) -> None:
    with runtime_of(conn).db.unit_of_work() as session:
        audit.record(session, action=action, actor=principal.actor(client_source(conn)), outcome=outcome,
                     target_type="camera", target_id=code, details=details)


@router.websocket("/cameras/{code}/live")
async def live(websocket: WebSocket, principal: Annotated[Principal, Require(Permission.VIDEO_VIEW)], code: str,
               stream: StreamQuery = StreamKind.SUB) -> None:
    """A camera's live video as fragmented MP4 for Media Source Extensions (privacy masks always burned in)."""
    runtime = runtime_of(websocket)
    lang = language(websocket)
    await websocket.accept()
    started, began = utcnow(), time.monotonic()
    camera: Camera | None = None
    failure: str | None = None
    writer: asyncio.StreamWriter | None = None
    try:
        with runtime.db.reading() as session:
            camera = _camera(session, code=code, principal=principal)
        reader, writer, answer = await _open_relay(websocket, camera, op="live", stream=stream)
        await websocket.send_text(json.dumps({"mime": answer.get("mime")}))
        client = asyncio.create_task(_drain_client(websocket))
        try:
            while not client.done():
                pending = asyncio.ensure_future(_read_message(reader))
                await asyncio.wait({pending, client}, return_when=asyncio.FIRST_COMPLETED)
                if not pending.done():
                    pending.cancel()
                    break
                await websocket.send_bytes(pending.result())
        finally:
            client.cancel()
    except QorgauError as exc:
        failure = exc.code
        params = {"state": "unknown", **exc.params}
        with contextlib.suppress(WebSocketDisconnect, RuntimeError):
            await websocket.send_text(json.dumps({"error": exc.code, "message": translate(exc.code, lang, **params),
                                                  "state": exc.extra.get("state")}))
            close = CLOSE_NOT_FOUND if isinstance(exc, NotFound) else CLOSE_UNAVAILABLE
            await websocket.close(code=close, reason=exc.code)
    except (asyncio.IncompleteReadError, ConnectionError):
        failure = "video.stream_ended"  # the worker went away (restarted, stopped): the client reconnects
        with contextlib.suppress(WebSocketDisconnect, RuntimeError):
            await websocket.close(code=CLOSE_UNAVAILABLE, reason=failure)
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        if writer is not None:
            writer.close()
        if camera is not None:
            ended = utcnow()
            details = {"kind": str(ViewKind.LIVE), "stream": str(stream), "from": started.isoformat(),
                       "to": ended.isoformat(), "duration_s": round(time.monotonic() - began, 1),
                       "masked": bool(camera.masks)}
            if failure is not None:
                details["error"] = failure
            outcome = Outcome.SUCCESS if failure in (None, "video.stream_ended") else Outcome.FAILURE
            # Shielded: a client that leaves (or a server that stops) cancels this handler, and the entry must
            # still be written.
            await asyncio.shield(asyncio.to_thread(_record, websocket, principal, action="video.live",
                                                   code=camera.code, outcome=outcome, details=details))


async def _drain_client(websocket: WebSocket) -> None:
    """Read (and ignore) what the client sends, so a disconnect is noticed."""
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return


@router.get("/cameras/{code}/snapshot.jpg", response_class=Response,
            responses={200: {"content": {"image/jpeg": {}}, "description": "A JPEG of the newest key frame."},
                       503: {"description": "The worker or the camera's stream is not available."}})
async def snapshot(principal: Annotated[Principal, Authenticated], db: ReadSession,
                   conn: Request, code: str,
                   stream: StreamQuery = StreamKind.SUB) -> Response:
    """A JPEG of the camera's newest key frame, privacy masks blacked out (thumbnails and the map: sub stream).

    Needs video:view; a video administrator without it gets the sub stream's picture of any camera, to draw its
    privacy masks and analytics rules on.
    """
    camera = _camera(db, code=code, principal=principal, administering=stream is StreamKind.SUB)
    reader, writer, _ = await _open_relay(conn, camera, op="snapshot", stream=stream)
    try:
        image = await within(_read_message(reader), CONNECT_TIMEOUT_S)
    except (asyncio.IncompleteReadError, ConnectionError, TimeoutError) as exc:
        raise RelayRefused("video.worker_unavailable") from exc
    finally:
        writer.close()
    if stream is StreamKind.MAIN:  # a full-size still is evidence-grade: audited; thumbnails are not
        await asyncio.to_thread(_record, conn, principal, action="video.snapshot", code=camera.code,
                                outcome=Outcome.SUCCESS,
                                details={"kind": str(ViewKind.SNAPSHOT), "stream": str(stream),
                                         "at": utcnow().isoformat()})
    return Response(content=image, media_type="image/jpeg", headers={"cache-control": "no-store"})
