"""The rules consumer in the video worker: each analysed frame goes through its camera's rules; hits get a
snapshot (box drawn, privacy masks blacked out), tracks that left become searchable objects with a thumbnail,
line crossings are counted; a writer thread stores them in batches and reloads the rules.

The analysis thread only computes and queues (a frame's call is well under a millisecond without hits); the
database and the disk are the writer's, every ``FLUSH_S`` at most, so 30 cameras share one transaction a second.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from qorgau.video.analytics import queries, service, store
from qorgau.video.analytics.contracts import AnalysedFrame, Box, Track
from qorgau.video.analytics.rules import CameraRules, Hit, RuleSpec
from qorgau.video.analytics.snapshot import snapshot_jpeg
from qorgau.video.contracts import CameraConfig, WorkerContext
from qorgau.video.enums import RecordingMode

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

log = logging.getLogger(__name__)
FLUSH_S = 1.0
RULES_EVERY_S = 10.0
OBJECT_GONE_S = 5.0  # a track the detector (when it ran) has not reported for this long has left: stored
BETTER_BY = 0.05  # a thumbnail is cut again only when the score improved this much (JPEG costs)
THUMB_PAD = 0.15  # share of the box added around the thumbnail's cut
MAX_PENDING = 10_000  # a writer that cannot keep up loses the oldest records, never the worker's memory


@dataclass(slots=True)
class _Seen:
    """A track on its way to becoming a searchable object."""

    first: Track
    last_seen: datetime
    best: Track
    best_at: datetime
    zones: set[int]
    jpeg: bytes | None


def _masked(bgr: npt.NDArray[np.uint8], masks: Sequence[Sequence[tuple[float, float]]]) -> npt.NDArray[np.uint8]:
    """The frame with the camera's privacy masks blacked out (snapshots are kept and shown like recordings)."""
    if not masks:
        return bgr
    import cv2
    import numpy as np

    picture = bgr.copy()
    height, width = picture.shape[:2]
    polygons = [np.array([[round(x * width), round(y * height)] for x, y in mask], dtype=np.int32) for mask in masks]
    cv2.fillPoly(picture, polygons, (0, 0, 0))
    return picture


def _crop(bgr: npt.NDArray[np.uint8], box: Box) -> bytes | None:
    import cv2

    height, width = bgr.shape[:2]
    pad_x, pad_y = (box[2] - box[0]) * THUMB_PAD, (box[3] - box[1]) * THUMB_PAD
    x1, y1 = max(0, int((box[0] - pad_x) * width)), max(0, int((box[1] - pad_y) * height))
    x2, y2 = min(width, int((box[2] + pad_x) * width) + 1), min(height, int((box[3] + pad_y) * height) + 1)
    if x2 - x1 < 2 or y2 - y1 < 2:  # nothing to show
        return None
    ok, data = cv2.imencode(".jpg", bgr[y1:y2, x1:x2], [cv2.IMWRITE_JPEG_QUALITY, 80])
    return bytes(data.tobytes()) if ok else None


class RulesConsumer:
    """A `FrameConsumer` and `CameraChooser`: cameras with enabled rules are analysed."""

    def __init__(self, worker: WorkerContext) -> None:
        self.worker = worker
        self.root = worker.settings.video_dir / "analytics"
        self.zone = worker.settings.zone
        self.roll = (timedelta(seconds=worker.settings.video_pre_roll_s),
                     timedelta(seconds=worker.settings.video_post_roll_s))
        self._lock = threading.Lock()
        self._flushing = threading.Lock()
        self._retrying = False
        self._engines: dict[int, CameraRules] = {}
        self._specs: dict[int, list[RuleSpec]] = {}
        self._cameras: dict[int, CameraConfig] = {}
        self._with_rules: set[int] = set()
        self._seen: dict[int, dict[int, _Seen]] = {}
        self._events: list[store.PendingEvent] = []
        self._objects: list[store.PendingObject] = []
        self._counts: dict[store.CountKey, int] = {}
        self.dropped = 0
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._reload()
        self._thread = threading.Thread(target=self._write_loop, name="analytics-rules-writer", daemon=True)
        self._thread.start()

    def wants(self, camera: CameraConfig) -> bool:
        """Cameras with an enabled rule are analysed (from the cache the writer refreshes)."""
        return camera.device_id in self._with_rules

    def frame(self, analysed: AnalysedFrame, bgr: npt.NDArray[np.uint8]) -> None:
        """Apply the camera's rules to one frame and queue what came of it."""
        device_id = analysed.device_id
        engine = self._engines.get(device_id)
        if engine is None:
            with self._lock:  # the writer's reload walks the engines
                engine = self._engines[device_id] = CameraRules(self._specs.get(device_id, []), self.zone)
        outcome = engine.update(analysed)
        camera = self._cameras.get(device_id)
        masked: list[npt.NDArray[np.uint8]] = []

        def picture() -> npt.NDArray[np.uint8]:
            """The masked frame, made once and only when a snapshot or a thumbnail is cut from it."""
            if not masked:
                masked.append(_masked(bgr, camera.privacy_masks if camera else ()))
            return masked[0]

        events = [self._pending(analysed, hit, picture(), camera) for hit in outcome.hits]
        finished = self._follow(analysed, picture, outcome.zones)
        with self._lock:
            self._events += events
            self._objects += finished
            for crossing in outcome.crossings:
                key = (crossing.rule_id, queries.bucket_of(crossing.at), crossing.direction.value, crossing.label)
                self._counts[key] = self._counts.get(key, 0) + 1
            overflow = len(self._events) + len(self._objects) - MAX_PENDING
            if overflow > 0:
                self.dropped += overflow
                del self._objects[:min(overflow, len(self._objects))]
        if events:
            self._wake.set()

    def _pending(self, analysed: AnalysedFrame, hit: Hit, picture: npt.NDArray[np.uint8],
                 camera: CameraConfig | None) -> store.PendingEvent:
        try:
            jpeg: bytes | None = snapshot_jpeg(picture, [t.box for t in hit.tracks], [t.label for t in hit.tracks])
        except ValueError:
            jpeg = None
        track = hit.track
        return store.PendingEvent(
            device_id=analysed.device_id, code=analysed.code, rule_id=hit.rule.id, rule_name=hit.rule.name,
            kind=hit.rule.kind.value, at=hit.at, label=track.label if track else None,
            track_id=track.track_id if track else None, count=hit.count,
            direction=hit.direction.value if hit.direction else None, box=track.box if track else None, jpeg=jpeg,
            simulated=camera.simulated if camera else False,
            record=camera is not None and camera.recording_mode is RecordingMode.EVENTS)

    def _follow(self, analysed: AnalysedFrame, picture: Callable[[], npt.NDArray[np.uint8]],
                zones: dict[int, set[int]]) -> list[store.PendingObject]:
        """Keep each track's best moment; tracks gone for ``OBJECT_GONE_S`` come back as finished objects."""
        seen = self._seen.setdefault(analysed.device_id, {})
        now = analysed.wall
        if analysed.detected:
            for track in analysed.tracks:
                known = seen.get(track.track_id)
                if known is None:
                    seen[track.track_id] = _Seen(track, now, track, now, set(zones.get(track.track_id, ())),
                                                 _crop(picture(), track.box))
                    continue
                known.last_seen = now
                known.zones |= zones.get(track.track_id, set())
                if track.score >= known.best.score + BETTER_BY:
                    known.best, known.best_at, known.jpeg = track, now, _crop(picture(), track.box)
        if not analysed.detected:
            return []  # the detector rested (no motion): whatever was in view still is
        gone = [tid for tid, known in seen.items() if (now - known.last_seen).total_seconds() >= OBJECT_GONE_S]
        return [self._finished(analysed, seen.pop(tid)) for tid in gone]

    @staticmethod
    def _finished(analysed: AnalysedFrame, known: _Seen) -> store.PendingObject:
        return store.PendingObject(
            device_id=analysed.device_id, code=analysed.code, track_id=known.first.track_id,
            label=known.best.label, first_seen=min(known.first.first_seen, known.best_at), last_seen=known.last_seen,
            best_at=known.best_at, score=known.best.score, box=known.best.box, zones=frozenset(known.zones),
            jpeg=known.jpeg)

    def _reload(self) -> None:
        """The cameras' rules and privacy masks, and which cameras have rules."""
        cameras = {c.device_id: c for c in self.worker.cameras()}
        try:
            with self.worker.db.reading() as session:
                specs = service.specs_for(session, list(cameras))
                with_rules = service.cameras_with_rules(session)
        except Exception:  # a database away: keep the rules we have, try again later
            log.warning("analytics rules not reloaded", exc_info=True)
            return
        self._cameras, self._with_rules = cameras, with_rules & set(cameras)
        with self._lock:
            engines = list(self._engines.items())
        for device_id, engine in engines:
            if specs.get(device_id, []) != self._specs.get(device_id, []):
                engine.replace_rules(specs.get(device_id, []))
        self._specs = specs

    def flush(self) -> None:
        """Store and announce what is queued (the writer thread's work; tests call it directly). One flush at a
        time, so batches commit in the order they were taken and the events keep their order on the bus."""
        with self._flushing:
            with self._lock:
                events, objects, counts = self._events, self._objects, self._counts
                self._events, self._objects, self._counts = [], [], {}
            if not (events or objects or counts):
                return
            try:
                with self.worker.db.unit_of_work() as session:
                    store.store_events(session, root=self.root, events=events, roll=self.roll)
                    store.store_objects(session, root=self.root, objects=objects)
                    store.add_counts(session, counts)
            except Exception:
                # A database away for a moment: the batch goes back to the front and is tried once more; a batch
                # that fails twice is dropped, so one bad record cannot stop every later one.
                retry, self._retrying = not self._retrying, not self._retrying
                log.warning("analytics records not stored (%s): %d events, %d objects",
                            "will retry" if retry else "dropped", len(events), len(objects), exc_info=True)
                if retry:
                    with self._lock:
                        self._events, self._objects = events + self._events, objects + self._objects
                        for key, n in counts.items():
                            self._counts[key] = self._counts.get(key, 0) + n
                else:
                    self.dropped += len(events) + len(objects)
                return
            self._retrying = False

    def _write_loop(self) -> None:
        reloaded = 0.0
        while not self._stop.is_set():
            self._wake.wait(FLUSH_S)
            self._wake.clear()
            try:
                self.flush()
                if time.monotonic() - reloaded >= RULES_EVERY_S:
                    self._reload()
                    reloaded = time.monotonic()
            except Exception:  # the writer outlives any one failure: the next pass tries again
                log.warning("analytics writer pass failed", exc_info=True)

    def close(self) -> None:
        """Stop the writer after storing what is pending (objects still in view are stored as they stand)."""
        for device_id, seen in self._seen.items():
            for known in seen.values():
                code = self._cameras[device_id].code if device_id in self._cameras else "?"
                with self._lock:
                    self._objects.append(store.PendingObject(
                        device_id=device_id, code=code, track_id=known.first.track_id, label=known.best.label,
                        first_seen=known.first.first_seen, last_seen=known.last_seen, best_at=known.best_at,
                        score=known.best.score, box=known.best.box, zones=frozenset(known.zones),
                        jpeg=known.jpeg))
        self._seen.clear()
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=10)
        self.flush()
