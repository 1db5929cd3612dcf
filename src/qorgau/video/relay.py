"""The live relay: a TCP server on 127.0.0.1:(video_live_port + worker index) that the web server asks for a
camera's live fMP4 or a snapshot.

Wire protocol: the server sends one JSON line ``{"op": "live"|"snapshot", "device_id": int, "stream":
"sub"|"main", "masks": [...], "transcode": bool}``; the worker answers one JSON line (``{"ok": true, "mime": ...}``
or ``{"ok": false, "code": ..., "state": ...}``), then length-prefixed messages (4-byte big-endian length + bytes):
for live the init segment then fragments until either side closes, for a snapshot one JPEG.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
import time
from collections import deque
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from qorgau.core.aio import within
from qorgau.video.contracts import CameraConfig, EncodedPacket, StreamInfo, WorkerContext
from qorgau.video.enums import CameraState, StreamKind
from qorgau.video.live import LiveKey, LiveSink, LiveStreams, Viewer
from qorgau.video.snapshot import KeyframeCatcher, SnapshotFailed, jpeg
from qorgau.video.transcode import freeze_masks

log = logging.getLogger(__name__)
REQUEST_LIMIT = 256 * 1024  # one request line (masks included)
REQUEST_TIMEOUT_S = 5.0
FIRST_FRAME_EXTRA_S = 3.0  # beyond the connect timeout: a key frame may be a GOP away
HEADER = 4
SEND_BUFFER = 256 * 1024
FAILED = frozenset({CameraState.AUTH_FAILED, CameraState.UNREACHABLE, CameraState.UNSUPPORTED})
FAILED_AFTER_S = 1.0  # a failure state older than the viewer may be stale: give the reopened stream a moment


class RelayRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    op: Literal["live", "snapshot"]
    device_id: int = Field(ge=1)
    stream: StreamKind = StreamKind.SUB
    masks: list[list[tuple[float, float]]] = Field(default_factory=list, max_length=64)  # polygons of (x, y)
    transcode: bool = False


def frame(message: bytes) -> bytes:
    return len(message).to_bytes(HEADER, "big") + message


class RelayFeature:
    """Implements ``contracts.Feature``: serves live views and snapshots of this worker's cameras."""

    def __init__(self) -> None:
        self.live: LiveStreams | None = None
        self.port: int | None = None
        # Frame reaching this worker → its fragment written to the server, seconds (transcoding included).
        self.delays_s: deque[float] = deque(maxlen=5000)
        self._handlers: set[asyncio.Task[None]] = set()

    async def run(self, worker: WorkerContext) -> None:
        self.live = LiveStreams(worker.streams)
        self.port = worker.settings.video_live_port + worker.index

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            task = asyncio.current_task()
            if task is not None:
                self._handlers.add(task)
            sock = writer.get_extra_info("socket")
            if sock is not None:  # a small send buffer: a slow server shows as backlog here, and is cut back to a key
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)  # frame, not seconds of loopback
            writer.transport.set_write_buffer_limits(high=SEND_BUFFER)
            try:
                await self._serve(worker, reader, writer)
            except (ConnectionError, asyncio.IncompleteReadError):
                pass
            except asyncio.CancelledError:  # the relay stops: end quietly (asyncio would log each task's cancel)
                pass
            finally:
                if task is not None:
                    self._handlers.discard(task)
                writer.close()

        server = await asyncio.start_server(handle, "127.0.0.1", self.port, limit=REQUEST_LIMIT)
        log.info("live relay listening", extra={"port": self.port, "worker": worker.index})
        try:
            await server.serve_forever()
        finally:
            server.close()
            for task in list(self._handlers):  # 3.11's Server.close leaves open connections running
                task.cancel()

    async def _serve(self, worker: WorkerContext, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            line = await within(reader.readline(), REQUEST_TIMEOUT_S)
            request = RelayRequest.model_validate_json(line)
        except (TimeoutError, ValueError, ValidationError):
            await _answer(writer, {"ok": False, "code": "video.bad_request"})
            return
        kind = StreamKind(request.stream)
        camera = next((c for c in worker.cameras() if c.device_id == request.device_id), None)
        if camera is None:
            await _answer(writer, {"ok": False, "code": "video.camera_not_found"})
            return
        if camera.url(kind) is None:
            await _answer(writer, {"ok": False, "code": "video.stream_unavailable",
                                   "state": str(CameraState.UNREACHABLE)})
            return
        wait_s = worker.settings.video_connect_timeout_s + FIRST_FRAME_EXTRA_S
        if request.op == "live":
            key = LiveKey(camera.device_id, kind, freeze_masks(request.masks), request.transcode)
            await self._live(worker, key, reader, writer, wait_s)
        else:
            await self._snapshot(worker, camera, kind, freeze_masks(request.masks), writer, wait_s)

    async def _live(self, worker: WorkerContext, key: LiveKey, reader: asyncio.StreamReader,
                    writer: asyncio.StreamWriter, wait_s: float) -> None:
        if self.live is None:
            return
        sink, viewer = self.live.join(key, asyncio.get_running_loop())
        watcher = asyncio.create_task(_close_on_eof(reader, viewer))
        joined = time.monotonic()

        def settled() -> bool:  # a picture, or a failure the source has already seen (after its first try)
            if sink.init is not None or sink.unsupported:
                return True
            return time.monotonic() - joined > FAILED_AFTER_S and _state(worker, key.device_id, key.kind) in FAILED

        try:
            if not await _until(settled, wait_s) or sink.init is None:
                await _answer(writer, _unavailable(worker, key.device_id, key.kind, sink))
                return
            await _answer(writer, {"ok": True, "mime": sink.mime})
            while (items := await viewer.drain()) is not None:
                writer.write(b"".join(frame(item) for item in items))
                await writer.drain()
                if viewer.latest_arrival is not None:
                    self.delays_s.append(time.monotonic() - viewer.latest_arrival)
        finally:
            watcher.cancel()
            self.live.leave(sink, viewer)
            log.info("live view ended", extra={"device_id": key.device_id, "stream": str(key.kind),
                                               "dropped": viewer.dropped, **self.delay_percentiles()})

    async def _snapshot(self, worker: WorkerContext, camera: CameraConfig, kind: StreamKind,
                        masks: tuple[tuple[tuple[float, float], ...], ...], writer: asyncio.StreamWriter,
                        wait_s: float) -> None:
        found = self._newest_key(camera.device_id, kind)
        if found is None:
            catcher = KeyframeCatcher()
            try:
                worker.streams.attach(camera.device_id, kind, catcher)
            except KeyError:
                await _answer(writer, {"ok": False, "code": "video.camera_not_found"})
                return
            try:
                await _until(catcher.caught.is_set, wait_s)
            finally:
                worker.streams.detach(camera.device_id, kind, catcher)
            if catcher.info is not None and catcher.key is not None:
                found = (catcher.info, catcher.key)
        if found is None:
            await _answer(writer, _unavailable(worker, camera.device_id, kind, None))
            return
        try:
            image = await asyncio.to_thread(jpeg, found[0], found[1], masks=masks)
        except SnapshotFailed:
            await _answer(writer, {"ok": False, "code": "video.snapshot_failed"})
            return
        await _answer(writer, {"ok": True, "mime": "image/jpeg"})
        writer.write(frame(image))
        await writer.drain()

    def _newest_key(self, device_id: int, kind: StreamKind) -> tuple[StreamInfo, EncodedPacket] | None:
        sink = self.live.find(device_id, kind) if self.live is not None else None
        if sink is None or sink.source is None or sink.last_key is None or sink.stopped is not None:
            return None
        return sink.source, sink.last_key

    def delay_percentiles(self) -> dict[str, float]:
        """p50 and p95 of the measured delays (seconds), for the log and the benchmark."""
        values = sorted(self.delays_s)
        if not values:
            return {}
        return {"p50": values[len(values) // 2], "p95": values[min(len(values) - 1, int(len(values) * 0.95))]}


def _state(worker: WorkerContext, device_id: int, kind: StreamKind) -> CameraState | None:
    """The stream's state as the worker's hub reports it (a hub without figures: unknown)."""
    figures = getattr(worker.streams, "figures", None)
    if callable(figures):
        for figure in figures():
            if figure.device_id == device_id and figure.kind == kind:
                return CameraState(figure.state)
    return None


def _unavailable(worker: WorkerContext, device_id: int, kind: StreamKind, sink: LiveSink | None) -> dict[str, Any]:
    if sink is not None and sink.unsupported:
        state: CameraState | None = CameraState.UNSUPPORTED
    else:
        state = _state(worker, device_id, kind) or CameraState.CONNECTING
        if state in (CameraState.STREAMING, CameraState.IDLE):  # streaming, yet no picture in time
            state = CameraState.NO_VIDEO
    return {"ok": False, "code": "video.stream_unavailable", "state": str(state)}


async def _answer(writer: asyncio.StreamWriter, reply: dict[str, Any]) -> None:
    writer.write(json.dumps(reply).encode() + b"\n")
    with contextlib.suppress(ConnectionError):
        await writer.drain()


async def _until(condition: Any, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(0.02)
    return True


async def _close_on_eof(reader: asyncio.StreamReader, viewer: Viewer) -> None:
    """The server hung up (its viewer left): end the viewer so the relay loop stops at once."""
    with contextlib.suppress(ConnectionError):
        while await reader.read(4096):
            pass
    viewer.close()
