"""Live view fan-out: one ``LiveSink`` per (camera, stream, masks) shared by all its viewers.

The sink keeps the latest init segment and the fragments since the last key frame, so a new viewer starts at once,
at a key frame. Each viewer has a bounded queue: a viewer that falls behind loses its queue and resumes at the next
key frame (never unbounded memory, never a stalled reader thread). Streams that need pixels changed (H.265, privacy
masks) are transcoded on a thread of the sink's own, so the camera's reader thread never waits for an encoder.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import deque
from dataclasses import dataclass

from qorgau.video.contracts import EncodedPacket, StreamHub, StreamInfo
from qorgau.video.enums import StreamKind
from qorgau.video.fmp4 import Fmp4Muxer, UnsupportedCodec
from qorgau.video.transcode import Masks, Transcoder

log = logging.getLogger(__name__)
MAX_VIEWER_BYTES = 8 * 1024 * 1024  # about 2 s of a 4 Mbps main stream queued for one viewer
MAX_GOP_FRAGMENTS = 600  # a camera with a very long GOP: a late joiner then waits for the next key frame
MAX_TRANSCODE_BACKLOG = 25  # packets waiting for the encoder before it skips to the next key frame
PASSTHROUGH = frozenset({"h264"})
DECODABLE = frozenset({"h264", "hevc"})


class Viewer:
    """One viewer's messages (the init segment, then fragments), filled by a reader thread, read in asyncio."""

    def __init__(self, loop: asyncio.AbstractEventLoop, *, max_bytes: int = MAX_VIEWER_BYTES) -> None:
        self._loop = loop
        self._max_bytes = max_bytes
        self._lock = threading.Lock()
        self._items: deque[bytes] = deque()
        self._bytes = 0
        self._wake = asyncio.Event()
        self._skipping = False
        self._init: bytes | None = None  # the init segment this viewer has been given
        self.latest_arrival: float | None = None  # monotonic arrival of the newest queued frame (delay figures)
        self.dropped = 0  # times it fell behind and was moved on to a key frame
        self.closed = False

    def offer(self, fragment: bytes, *, key: bool, init: bytes, arrived: float | None = None) -> None:
        """Queue a fragment (and the init segment first when it changed); called with the sink's lock held."""
        with self._lock:
            if self.closed or (self._skipping and not key):
                return
            self._skipping = False
            was_empty = not self._items
            if self._bytes + len(fragment) > self._max_bytes:  # behind: drop what waits
                self._items.clear()
                self._bytes = 0
                self._init = None  # a restart begins with the init segment again
                self.dropped += 1
                if not key:  # resume at the next key frame; a key frame is itself the place to resume
                    self._skipping = True
                    return
            if init is not self._init:
                self._init = init
                self._items.append(init)
                self._bytes += len(init)
            self._items.append(fragment)
            self._bytes += len(fragment)
            if arrived is not None:
                self.latest_arrival = arrived
        if was_empty:
            self._loop.call_soon_threadsafe(self._wake.set)

    def close(self) -> None:
        with self._lock:
            self.closed = True
            self._items.clear()
        self._loop.call_soon_threadsafe(self._wake.set)

    async def drain(self) -> list[bytes] | None:
        """Everything queued, waiting until there is something; None once closed."""
        while True:
            with self._lock:
                if self._items:
                    items = list(self._items)
                    self._items.clear()
                    self._bytes = 0
                    return items
                if self.closed:
                    return None
                self._wake.clear()
            await self._wake.wait()


@dataclass(frozen=True, slots=True)
class LiveKey:
    device_id: int
    kind: StreamKind
    masks: Masks = ()
    transcode: bool = False


class LiveSink:
    """A ``PacketSink`` turning one stream into fMP4 for its viewers (passthrough, or transcoded when needed)."""

    def __init__(self, key: LiveKey, *, max_viewer_bytes: int = MAX_VIEWER_BYTES) -> None:
        self.key = key
        self.max_viewer_bytes = max_viewer_bytes
        self._lock = threading.Lock()
        self._viewers: list[Viewer] = []
        self._muxer: Fmp4Muxer | None = None
        self._transcoder: Transcoder | None = None
        self._end = 0  # decode time where the next stream (after a restart) continues
        self.init: bytes | None = None
        self.mime: str | None = None
        self.gop: list[bytes] = []
        self.source: StreamInfo | None = None
        self.last_key: EncodedPacket | None = None  # the source's newest key frame, for snapshots
        self.stopped: str | None = None  # why the stream last stopped, until it starts again
        self.unsupported = False
        self.ready = threading.Event()  # an init segment exists
        self._offload: _Offload | None = None

    # PacketSink: called in the stream's reader thread

    def start(self, info: StreamInfo) -> None:
        with self._lock:
            self.source, self.stopped, self.last_key = info, None, None
        if info.codec not in DECODABLE:
            with self._lock:
                self.unsupported, self._muxer, self._transcoder = True, None, None
            return
        if self.key.transcode or self.key.masks or info.codec not in PASSTHROUGH:
            if self._offload is None:
                self._offload = _Offload(self)
            self._offload.put("start", info)
        else:
            if self._offload is not None:  # was transcoded before this restart (e.g. H.265 → H.264)
                self._offload.active = False
            self._begin(info, transcode=False)

    def packet(self, packet: EncodedPacket) -> None:
        arrived = time.monotonic()
        if packet.keyframe:
            self.last_key = packet
        if self._offload is not None and self._offload.active:
            self._offload.put("packet", packet, arrived)
        else:
            self._publish(packet, arrived)

    def stop(self, reason: str) -> None:
        with self._lock:
            self.stopped = reason
        if self._offload is not None and self._offload.active:
            self._offload.put("stop", reason)
        else:
            self._finish()

    # the work itself, in the reader thread or the transcoding thread

    def _begin(self, info: StreamInfo, *, transcode: bool) -> None:
        with self._lock:
            if self._muxer is not None:
                self._end = self._muxer.end
            self.unsupported = False
            self._transcoder = Transcoder(info, masks=self.key.masks) if transcode else None
            try:
                self._muxer = None if transcode else Fmp4Muxer(info, base=self._end)
            except UnsupportedCodec:
                self.unsupported = True
            self.gop = []

    def _publish(self, packet: EncodedPacket, arrived: float) -> None:
        transcoder = self._transcoder
        for out in transcoder.packets(packet) if transcoder is not None else (packet,):
            self._mux(out, arrived)

    def _mux(self, packet: EncodedPacket, arrived: float) -> None:
        with self._lock:
            if self._muxer is None:
                if self._transcoder is None:
                    return
                self._muxer = Fmp4Muxer(self._transcoder.info, base=self._end)
            fragment = self._muxer.fragment(packet)
            if fragment is None or self._muxer.init is None:
                return
            if self._muxer.init is not self.init:
                self.init, self.mime = self._muxer.init, self._muxer.mime
                self.ready.set()
            if packet.keyframe:
                self.gop = [fragment]
            elif len(self.gop) < MAX_GOP_FRAGMENTS:
                self.gop.append(fragment)
            else:
                self.gop = []
            for viewer in self._viewers:
                viewer.offer(fragment, key=packet.keyframe, init=self.init, arrived=arrived)

    def _finish(self) -> None:
        with self._lock:
            if self._muxer is not None:
                self._end = self._muxer.end
            self._muxer, self._transcoder, self.gop = None, None, []

    # viewers, from the relay's event loop

    def add(self, viewer: Viewer) -> None:
        """A new viewer gets the init segment and the current GOP at once."""
        with self._lock:
            self._viewers.append(viewer)
            if self.init is not None and self.gop:
                for i, fragment in enumerate(self.gop):
                    viewer.offer(fragment, key=i == 0, init=self.init)

    def remove(self, viewer: Viewer) -> int:
        """Forget a viewer; the number left."""
        with self._lock:
            if viewer in self._viewers:
                self._viewers.remove(viewer)
            left = len(self._viewers)
        viewer.close()
        return left

    def close(self) -> None:
        if self._offload is not None:
            self._offload.close()


class _Offload:
    """The transcoding thread of one live sink: a bounded backlog, skipping to the next key frame when behind."""

    def __init__(self, sink: LiveSink) -> None:
        self._sink = sink
        self._cond = threading.Condition()
        self._items: deque[tuple[str, StreamInfo | EncodedPacket | str, float]] = deque()
        self._packets = 0
        self._skipping = False
        self._closed = False
        self.active = False
        self._thread = threading.Thread(target=self._run, name=f"live-transcode-{sink.key.device_id}", daemon=True)
        self._thread.start()

    def put(self, kind: str, value: StreamInfo | EncodedPacket | str, arrived: float = 0.0) -> None:
        with self._cond:
            if kind == "start":
                self.active = True
            elif isinstance(value, EncodedPacket):
                if self._skipping and not value.keyframe:
                    return
                if self._packets >= MAX_TRANSCODE_BACKLOG:
                    self._skipping = True
                    return
                self._skipping = False
                self._packets += 1
            self._items.append((kind, value, arrived))
            self._cond.notify()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._items and not self._closed:
                    self._cond.wait()
                if self._closed:
                    return
                kind, value, arrived = self._items.popleft()
                if kind == "packet":
                    self._packets -= 1
            try:
                if kind == "start" and isinstance(value, StreamInfo):
                    self._sink._begin(value, transcode=True)
                elif kind == "packet" and isinstance(value, EncodedPacket):
                    self._sink._publish(value, arrived)
                else:
                    self._sink._finish()
            except Exception:  # one broken frame or encoder must not end the viewers' stream for good
                log.exception("live transcoding failed for camera %s", self._sink.key.device_id)


class LiveStreams:
    """The worker's live sinks: the first viewer of a key attaches its sink to the stream, the last detaches it."""

    def __init__(self, hub: StreamHub, *, max_viewer_bytes: int = MAX_VIEWER_BYTES) -> None:
        self._hub = hub
        self._max_viewer_bytes = max_viewer_bytes
        self._lock = threading.Lock()
        self._sinks: dict[LiveKey, LiveSink] = {}

    def sink(self, key: LiveKey) -> LiveSink | None:
        return self._sinks.get(key)

    def find(self, device_id: int, kind: StreamKind) -> LiveSink | None:
        """Any live sink of that stream (for a snapshot from its newest key frame)."""
        return next((s for k, s in list(self._sinks.items()) if k.device_id == device_id and k.kind is kind), None)

    def join(self, key: LiveKey, loop: asyncio.AbstractEventLoop) -> tuple[LiveSink, Viewer]:
        viewer = Viewer(loop, max_bytes=self._max_viewer_bytes)
        with self._lock:
            sink = self._sinks.get(key)
            first = sink is None
            if sink is None:
                sink = self._sinks[key] = LiveSink(key, max_viewer_bytes=self._max_viewer_bytes)
            sink.add(viewer)
        if first:
            self._hub.attach(key.device_id, key.kind, sink)
        return sink, viewer

    def leave(self, sink: LiveSink, viewer: Viewer) -> None:
        with self._lock:
            if sink.remove(viewer) or self._sinks.get(sink.key) is not sink:
                return
            del self._sinks[sink.key]
        self._hub.detach(sink.key.device_id, sink.key.kind, sink)
        sink.close()

    def viewers(self) -> int:
        return sum(len(s._viewers) for s in list(self._sinks.values()))


def needs_transcode(info: StreamInfo, *, masks: Masks) -> bool:
    return bool(masks) or info.codec not in PASSTHROUGH

