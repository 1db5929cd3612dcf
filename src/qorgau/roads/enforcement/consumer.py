"""A video-worker frame consumer that turns the vehicle tracks of speed and intersection cameras into violations.

It plugs into the analytics' consumer list by name (``"qorgau.roads.enforcement.consumer:EnforcementConsumer"``,
handed in by ``runtime/video.py``) and is typed against the frames' shape structurally, so video never imports
roads. The analysis thread only appends times and boxes and keeps references to a few frame copies (one copy per
frame at most, shared by the tracks that need it); once a track has left, a bounded queue hands it to the
consumer's own thread, which waits for the plate read and opens the violation in its own transaction (ADR 0043).
"""

from __future__ import annotations

import collections
import json
import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from qorgau.roads.frames import TRACK_GONE, VEHICLE_LABELS, SeenFrame

log = logging.getLogger(__name__)
Image3 = NDArray[np.uint8]
Box = tuple[float, float, float, float]
SPEED, INTERSECTION = "speed", "intersection"
SNAPSHOT_EVERY = timedelta(seconds=0.5)  # bounds the frame copies to two a second per camera (and one per new track)
SIGNAL_KEEP = timedelta(seconds=60)  # lamp patches kept per camera: "red since" needs the run before the crossing
MAX_POINTS = 900  # a track's times and boxes beyond this are not kept (90 s at 10 fps: a parked car)
QUEUE_SIZE = 200
TICK_S = 2.0  # the pipeline thread's periodic work (roles, figures) when no track arrives
ROLES_EVERY_S = 15.0


@dataclass(frozen=True, slots=True)
class CameraRole:
    """What one camera enforces: ``speed`` or ``intersection``; the lamp ROI (x, y, w, h pixels) when its phase is
    read from the picture; whether this pipeline reads plates itself (the plate consumer does not cover it)."""

    kind: str
    lamp_roi: tuple[int, int, int, int] | None = None
    reads_plates: bool = False


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A frame (a shared copy) at one moment of a track, with the track's box on it in pixels."""

    at: datetime
    box: Box
    frame: Image3

    @property
    def area(self) -> float:
        """The box's area in pixels: the largest is the vehicle closest to the camera."""
        return (self.box[2] - self.box[0]) * (self.box[3] - self.box[1])


@dataclass(slots=True)
class TrackRecord:
    """Everything kept of one vehicle track of an enforcement camera."""

    device_id: int
    code: str
    role: CameraRole
    track_id: int
    label: str
    times: list[datetime] = field(default_factory=list)
    boxes: list[Box] = field(default_factory=list)
    first: Snapshot | None = None
    closest: Snapshot | None = None  # the largest box: the vehicle nearest the camera, its plate biggest
    last: Snapshot | None = None
    signal: list[tuple[datetime, Image3]] = field(default_factory=list)  # lamp ROI patches, oldest first

    def snapshots(self) -> list[tuple[str, Snapshot]]:
        """The distinct pictures of the track, named for the evidence."""
        named = [("first.jpg", self.first), ("closest.jpg", self.closest), ("last.jpg", self.last)]
        out: list[tuple[str, Snapshot]] = []
        for name, snap in named:
            if snap is not None and all(snap is not seen for _, seen in out):
                out.append((name, snap))
        return out


# Returns what came of the track, "<kind>:<opened or why not>" words separated by spaces.
Handler = Callable[[TrackRecord], str]


@dataclass(slots=True)
class _Camera:
    signal: collections.deque[tuple[datetime, Image3]] = field(default_factory=collections.deque)
    copied_at: datetime | None = None  # when this camera's frame was last copied for the tracks' pictures


class EnforcementTracks:
    """Collects the tracks of enforcement cameras and hands each finished one to ``handle`` in its own thread,
    ``wait_s`` after it left (the plate read of the same track lands meanwhile). The testable core."""

    def __init__(self, handle: Handler, role_of: Callable[[int], CameraRole | None], *, wait_s: float,
                 queue_size: int = QUEUE_SIZE, tick: Callable[[], None] = lambda: None) -> None:
        self.handle, self.role_of, self.wait_s, self.tick = handle, role_of, wait_s, tick
        self.counts: collections.Counter[str] = collections.Counter()
        self.dropped = 0
        self._pending: dict[tuple[int, int], TrackRecord] = {}
        self._cameras: dict[int, _Camera] = {}
        self._finished: queue.Queue[tuple[float, TrackRecord] | None] = queue.Queue(maxsize=queue_size)
        self._closing = threading.Event()
        self._lock = threading.Lock()  # counts are read by the figures writer
        self._thread = threading.Thread(target=self._loop, name="violation-pipeline", daemon=True)
        self._thread.start()

    def frame(self, analysed: SeenFrame, bgr: Image3) -> None:
        """Append this frame's vehicle boxes to their tracks; hand on the camera's tracks that have left."""
        role = self.role_of(analysed.device_id)
        if role is None:
            return
        now, height, width = analysed.wall, bgr.shape[0], bgr.shape[1]
        camera = self._cameras.setdefault(analysed.device_id, _Camera())
        if role.lamp_roi is not None:
            x, y, w, h = role.lamp_roi
            camera.signal.append((now, np.ascontiguousarray(bgr[y:y + h, x:x + w])))
            while camera.signal and now - camera.signal[0][0] > SIGNAL_KEEP:
                camera.signal.popleft()
        vehicles = [track for track in analysed.tracks if track.label in VEHICLE_LABELS]
        present = {track.track_id for track in vehicles}
        # One copy of the frame for every track, at most every SNAPSHOT_EVERY per camera, or when a track is new
        # (its first picture): copying is most of this call's cost.
        copy = bool(vehicles) and (camera.copied_at is None or now - camera.copied_at >= SNAPSHOT_EVERY
                                   or any((analysed.device_id, t) not in self._pending for t in present))
        shared = bgr.copy() if copy else None
        camera.copied_at = now if copy else camera.copied_at
        for track in vehicles:
            key = (analysed.device_id, track.track_id)
            record = self._pending.get(key)
            if record is None:
                record = self._pending[key] = TrackRecord(analysed.device_id, analysed.code, role, track.track_id,
                                                          track.label)
            if len(record.times) >= MAX_POINTS:
                continue
            box = (track.box[0] * width, track.box[1] * height, track.box[2] * width, track.box[3] * height)
            record.times.append(now)
            record.boxes.append(box)
            if shared is not None:
                snap = Snapshot(now, box, shared)
                record.first = record.first or snap
                record.closest = snap if record.closest is None or snap.area > record.closest.area \
                    else record.closest
                record.last = snap
        for key, record in list(self._pending.items()):
            if key[0] == analysed.device_id and key[1] not in present and now - record.times[-1] >= TRACK_GONE:
                self._finish(self._pending.pop(key), camera)

    def _finish(self, record: TrackRecord, camera: _Camera | None) -> None:
        if camera is not None and record.role.lamp_roi is not None:
            start = record.times[0] - SIGNAL_KEEP / 2
            record.signal = [(at, patch) for at, patch in camera.signal if start <= at <= record.times[-1]]
        try:
            self._finished.put_nowait((time.monotonic() + self.wait_s, record))
        except queue.Full:  # the pipeline cannot keep up: lose tracks, never the worker's memory
            with self._lock:
                self.dropped += 1

    def _loop(self) -> None:
        while True:
            try:
                item = self._finished.get(timeout=TICK_S)
            except queue.Empty:
                self._tick()
                continue
            if item is None:
                break
            due, record = item
            if not self._closing.is_set():
                self._closing.wait(max(0.0, due - time.monotonic()))
            try:
                outcome = self.handle(record)
            except Exception:  # one bad track must not stop the others, nor the worker
                log.exception("violation pipeline failed for a track of camera %s", record.code)
                outcome = "failed"
            with self._lock:
                self.counts.update(outcome.split())  # "speed:opened section:waiting" counts both
            self._tick()

    def _tick(self) -> None:
        try:
            self.tick()
        except Exception:
            log.exception("violation pipeline: periodic work failed")

    def count(self, outcomes: Sequence[str]) -> None:
        """Count outcomes reached outside a track's handling (a retried export)."""
        with self._lock:
            self.counts.update(outcomes)

    def figures(self) -> dict[str, Any]:
        """Totals since start: outcomes by reason and tracks dropped on a full queue."""
        with self._lock:
            return {"outcomes": dict(self.counts), "dropped": self.dropped, "waiting": self._finished.qsize()}

    def close(self, timeout: float = 30.0) -> None:
        """Hand on the tracks still in view (without waiting for plates), then stop the thread."""
        self._closing.set()
        for key in list(self._pending):
            self._finish(self._pending.pop(key), self._cameras.get(key[0]))
        self._finished.put(None)
        self._thread.join(timeout)


def write_figures(path: Path, figures: dict[str, Any]) -> None:
    """Replace the worker's figures file (written aside and renamed: a scrape never reads half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp")
    partial.write_text(json.dumps({**figures, "updated": time.time()}), encoding="utf-8")
    os.replace(partial, path)


class EnforcementConsumer:
    """The video worker's consumer (``FrameConsumer`` and ``CameraChooser`` by shape): enforcement cameras."""

    def __init__(self, worker: Any) -> None:
        from qorgau.roads.enforcement.pipeline import ViolationOpener

        self.worker = worker
        settings = worker.settings
        self.groups = frozenset(settings.violation_camera_groups)
        self._plate_groups = frozenset(getattr(settings, "plate_reading_groups", ()))
        self._roles: dict[int, CameraRole] = {}
        self._next_refresh = 0.0
        self.figures_path = settings.data_dir / "violations" / "figures" / f"worker-{worker.index}.json"
        self.opener = ViolationOpener(worker.db, settings)
        self.tracks = EnforcementTracks(self.opener, lambda device_id: self._roles.get(device_id),
                                        wait_s=settings.violation_plate_wait_s, tick=self._tick)

    def _tick(self) -> None:
        """In the pipeline's thread: refresh the cameras' roles now and then, and write the figures."""
        if time.monotonic() >= self._next_refresh:
            cameras = [c for c in self.worker.cameras() if self.wants(c)]
            # A new dict replaces the old one whole: the analysis thread never sees it half built.
            self._roles = self.opener.roles({c.device_id: (c.code, str(c.group)) for c in cameras},
                                            self._plate_groups)
            self._next_refresh = time.monotonic() + ROLES_EVERY_S
        tracks = getattr(self, "tracks", None)  # the thread may tick before the constructor has finished
        if tracks is not None:
            tracks.count(self.opener.retry_exports())
            write_figures(self.figures_path, tracks.figures())

    def wants(self, camera: Any) -> bool:
        """Cameras of the enforcement groups (settings) are analysed."""
        return str(camera.group) in self.groups

    def frame(self, analysed: SeenFrame, bgr: Image3) -> None:
        """One analysed frame (BGR) of one camera."""
        self.tracks.frame(analysed, bgr)

    def close(self) -> None:
        """The worker stops: hand on the tracks still in view."""
        self.tracks.close()
        self.tracks.count(self.opener.retry_exports(everything=True))  # once more: the last segment may be in
        write_figures(self.figures_path, self.tracks.figures())
