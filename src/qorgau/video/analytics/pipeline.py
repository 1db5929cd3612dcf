"""The analysis of decoded frames: motion, then the detector where there is motion, then the tracker; each frame
goes to the consumers as an ``AnalysedFrame``.

One ``Analysis`` thread per worker process serves all its cameras round robin from ``FrameSlots``: with the
detector run only on motion, 30 cameras at 5 fps share one core (bench/analytics_cameras.py). Objects that stop
moving stay tracked: the detector also looks at the confirmed tracks' boxes whenever it runs, and at least every
``REFRESH_S`` while there are any.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from qorgau.video.analytics.consumers import FrameConsumer
from qorgau.video.analytics.contracts import AnalysedFrame, Detection, Detector, PixelBox, Track
from qorgau.video.analytics.decode import DecodedFrame, FrameSlots
from qorgau.video.analytics.motion import MotionDetector, merge
from qorgau.video.analytics.tracker import Tracker

log = logging.getLogger(__name__)

REFRESH_S = 1.0  # with objects tracked but nothing moving, the detector still checks they are there this often
TRACK_PAD = 0.2  # share of a track's box added on every side when the detector looks at it again


@dataclass(slots=True)
class Figures:
    """What the analysis thread did, for logs and the benchmark."""

    frames: int = 0
    detector_runs: int = 0
    detector_errors: int = 0
    consumer_errors: int = 0
    lighting_changes: int = 0
    busy_s: float = 0.0
    detect_s: float = 0.0
    by_camera: dict[int, int] = field(default_factory=dict)


class CameraAnalysis:
    """One camera's motion and tracks."""

    def __init__(self, device_id: int, code: str, motion: MotionDetector, tracker: Tracker) -> None:
        self.device_id = device_id
        self.code = code
        self.motion = motion
        self.tracker = tracker
        self.last_detect: datetime | None = None
        self.shape: tuple[int, int] | None = None

    def analyse(self, frame: DecodedFrame, detector: Detector | None, figures: Figures) -> AnalysedFrame:
        """Motion → detector (only on motion, or to refresh tracks) → tracker."""
        height, width = frame.bgr.shape[:2]
        if self.shape != (height, width):
            self.shape = (height, width)
            self.motion.reset()
        moved = self.motion.update(frame.bgr)
        figures.lighting_changes += moved.lighting
        regions = list(moved.regions)
        live = self.tracker.live_boxes(frame.wall)
        stale = self.last_detect is None or (frame.wall - self.last_detect).total_seconds() >= REFRESH_S
        run = detector is not None and not moved.lighting and (bool(regions) or (bool(live) and stale))
        tracks: Sequence[Track] = ()
        if run and detector is not None:
            regions = merge(regions + [to_pixels(box, width, height, TRACK_PAD) for box in live])
            started = time.perf_counter()
            try:
                detections: list[Detection] = detector.detect(frame.bgr, regions, self.code)
            except Exception:
                figures.detector_errors += 1
                if figures.detector_errors <= 3 or figures.detector_errors % 1000 == 0:
                    log.warning("camera %s: the detector failed", self.code, exc_info=True)
                detections, run = [], False
            figures.detect_s += time.perf_counter() - started
            if run:
                figures.detector_runs += 1
                self.last_detect = frame.wall
                tracks = self.tracker.update(detections, frame.wall)
        return AnalysedFrame(device_id=frame.device_id, code=frame.code, wall=frame.wall, width=width,
                             height=height, motion=moved.share, tracks=tracks, detected=run)


def to_pixels(box: tuple[float, float, float, float], width: int, height: int, pad: float = 0.0) -> PixelBox:
    """A 0..1 box as frame pixels, grown by ``pad`` of its size on every side, clamped."""
    dx, dy = (box[2] - box[0]) * pad, (box[3] - box[1]) * pad
    return (max(0, int((box[0] - dx) * width)), max(0, int((box[1] - dy) * height)),
            min(width, int((box[2] + dx) * width + 0.5)), min(height, int((box[3] + dy) * height + 0.5)))


class Analysis:
    """The worker's analysis thread: takes frames from ``slots``, analyses them, calls the consumers."""

    def __init__(self, slots: FrameSlots, *, detector: Detector | None, consumers: Sequence[FrameConsumer],
                 motion: Callable[[], MotionDetector] = MotionDetector,
                 start_scores: Callable[[str], Mapping[str, float]] | None = None) -> None:
        self.slots = slots
        # Camera code → the scores that start its tracks, per class, where they differ (tracker.start_scores).
        self._start_scores = start_scores or (lambda code: {})
        self.detector = detector
        self.consumers = list(consumers)
        self.figures = Figures()
        self._motion = motion
        self._ids = itertools.count(1)  # track ids unique across this worker's cameras
        self._cameras: dict[int, CameraAnalysis] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="video-analysis", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> bool:
        """Stop the thread (the frame in hand is finished first); True when it ended in time."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            return not self._thread.is_alive()
        return True

    def forget(self, device_id: int) -> None:
        """A camera no longer analysed: its state goes (a new attach starts a fresh background and tracks)."""
        self.slots.forget(device_id)
        self._cameras.pop(device_id, None)

    def _loop(self) -> None:
        while not self._stop.is_set():
            frame = self.slots.take(timeout=0.2)
            if frame is not None:
                self.process(frame)

    def process(self, frame: DecodedFrame) -> AnalysedFrame:
        """Analyse one frame and hand it to every consumer (also called directly by tests and the benchmark)."""
        started = time.perf_counter()
        camera = self._cameras.get(frame.device_id)
        if camera is None:
            tracker = Tracker(ids=self._ids, high_by_label=self._start_scores(frame.code))
            camera = CameraAnalysis(frame.device_id, frame.code, self._motion(), tracker)
            self._cameras[frame.device_id] = camera
        analysed = camera.analyse(frame, self.detector, self.figures)
        for consumer in self.consumers:
            try:
                consumer.frame(analysed, frame.bgr)
            except Exception:
                self.figures.consumer_errors += 1
                if self.figures.consumer_errors <= 3 or self.figures.consumer_errors % 1000 == 0:
                    log.warning("analytics consumer %s failed", type(consumer).__name__, exc_info=True)
        self.figures.frames += 1
        self.figures.by_camera[frame.device_id] = self.figures.by_camera.get(frame.device_id, 0) + 1
        self.figures.busy_s += time.perf_counter() - started
        return analysed


