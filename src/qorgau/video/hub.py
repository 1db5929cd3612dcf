"""The worker's streams: one upstream ``Source`` per (camera, stream) however many sinks, opened by the first
attach and closed ``video_idle_stop_s`` after the last detach."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from datetime import UTC, datetime

from qorgau.video.config import VideoSettings
from qorgau.video.contracts import CameraConfig, PacketSink, StreamInfo
from qorgau.video.enums import CameraState, StreamKind
from qorgau.video.source import Source, StateListener
from qorgau.video.timeline import Figures

log = logging.getLogger(__name__)

Key = tuple[int, StreamKind]


class UnknownCamera(KeyError):
    """The camera is not one of this worker's."""


class Hub:
    """Implements ``contracts.StreamHub``; thread-safe (features attach from the event loop, sinks may detach
    themselves from a reader thread)."""

    def __init__(self, settings: VideoSettings, *, on_state: StateListener | None = None,
                 pace_files: bool = True) -> None:
        self.settings = settings
        self.on_state = on_state
        self.pace_files = pace_files
        self._cameras: dict[int, CameraConfig] = {}
        self._sources: dict[Key, Source] = {}
        self._idle_since: dict[Key, float] = {}
        self._retired: dict[Key, Source] = {}  # closed streams: their last figures (codec, reconnects…) stay known
        self._lock = threading.RLock()
        self._closed = False
        self._reaper = threading.Thread(target=self._reap_loop, name="video-hub-reaper", daemon=True)
        self._wake = threading.Event()
        self._reaper.start()

    # -- cameras ---------------------------------------------------------------------------------------------
    def set_cameras(self, cameras: Iterable[CameraConfig]) -> None:
        """This worker's cameras now: new data reaches open streams; a camera gone closes its streams."""
        fresh = {camera.device_id: camera for camera in cameras}
        gone: list[Source] = []
        with self._lock:
            self._cameras = fresh
            for key, source in list(self._sources.items()):
                camera = fresh.get(key[0])
                if camera is None:
                    gone.append(self._sources.pop(key))
                    self._idle_since.pop(key, None)
                else:
                    source.update(camera)
            self._retired = {key: source for key, source in self._retired.items() if key[0] in fresh}
        for source in gone:
            source.stop(timeout=0)

    def cameras(self) -> list[CameraConfig]:
        with self._lock:
            return list(self._cameras.values())

    def camera(self, device_id: int) -> CameraConfig | None:
        with self._lock:
            return self._cameras.get(device_id)

    # -- StreamHub -------------------------------------------------------------------------------------------
    def attach(self, device_id: int, kind: StreamKind, sink: PacketSink) -> None:
        """Add a sink; it gets ``start`` at the stream's next key frame. Raises ``UnknownCamera``."""
        key = (device_id, StreamKind(kind))
        with self._lock:
            if self._closed:
                raise RuntimeError("the stream hub is closed")
            camera = self._cameras.get(device_id)
            if camera is None:
                raise UnknownCamera(device_id)
            source = self._sources.get(key)
            if source is None or not source.running:
                source = Source(camera, key[1], self.settings, on_state=self.on_state, pace_files=self.pace_files)
                retired = self._retired.pop(key, None)
                if retired is not None:
                    source.carry_counts(retired)
                self._sources[key] = source
            source.add_sink(sink)
            self._idle_since.pop(key, None)
            source.start()

    def detach(self, device_id: int, kind: StreamKind, sink: PacketSink) -> None:
        key = (device_id, StreamKind(kind))
        with self._lock:
            source = self._sources.get(key)
            if source is None:
                return
            source.remove_sink(sink)
            if not source.sinks():
                # A sink that says ``linger = False`` (a probe) lets its stream close at once, not after the idle time.
                linger = self.settings.video_idle_stop_s if getattr(sink, "linger", True) else 0.0
                self._idle_since[key] = time.monotonic() - self.settings.video_idle_stop_s + linger
                self._wake.set()

    def info(self, device_id: int, kind: StreamKind) -> StreamInfo | None:
        with self._lock:
            source = self._sources.get((device_id, StreamKind(kind)))
        return source.info() if source is not None else None

    # -- figures ---------------------------------------------------------------------------------------------
    def source(self, device_id: int, kind: StreamKind) -> Source | None:
        with self._lock:
            return self._sources.get((device_id, StreamKind(kind)))

    def figures(self) -> list[Figures]:
        """Both streams of every camera of this worker; a stream not pulled is IDLE with its last figures."""
        now = datetime.now(UTC)
        with self._lock:
            cameras = list(self._cameras)
            sources = self._retired | self._sources
        result = []
        for device_id in cameras:
            for kind in StreamKind:
                source = sources.get((device_id, kind))
                result.append(source.figures() if source is not None else Figures(device_id, kind,
                                                                                 CameraState.IDLE, now))
        return result

    # -- lifecycle -------------------------------------------------------------------------------------------
    def _reap_loop(self) -> None:
        while not self._closed:
            self._wake.wait(timeout=1.0)
            self._wake.clear()
            self.reap()

    def reap(self, now: float | None = None) -> None:
        """Close the streams idle for ``video_idle_stop_s``."""
        now = time.monotonic() if now is None else now
        ending: list[Source] = []
        with self._lock:
            for key, since in list(self._idle_since.items()):
                source = self._sources.get(key)
                if source is None or source.sinks():
                    self._idle_since.pop(key, None)
                elif now - since >= self.settings.video_idle_stop_s:
                    ending.append(self._sources.pop(key))
                    self._retired[key] = ending[-1]
                    self._idle_since.pop(key, None)
        for source in ending:
            log.debug("camera %s %s stream closed: nobody watches or records it", source.camera.code,
                      source.kind.value)
            source.stop(timeout=0)  # its thread ends on its own within the read timeout

    def close(self, timeout: float) -> bool:
        """Stop every stream and wait up to ``timeout`` seconds in all; True when every reader has ended."""
        with self._lock:
            self._closed = True
            sources = list(self._sources.values())
            self._retired.update(self._sources)
            self._sources.clear()
            self._idle_since.clear()
        self._wake.set()
        for source in sources:
            source.stop(timeout=0)
        deadline = time.monotonic() + timeout
        ended = True
        for source in sources:
            ended = source.stop(timeout=max(0.0, deadline - time.monotonic())) and ended
        return ended
