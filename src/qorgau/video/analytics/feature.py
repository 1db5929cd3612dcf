"""The video worker's analytics: which cameras are analysed, their decode sinks, the analysis thread.

Every ``TICK_S`` the feature compares the cameras it analyses with those it should (``analysed``) and attaches or
detaches a ``DecodeSink`` on each one's sub-stream; the one ``Analysis`` thread of the worker serves them all. The
detector is loaded once at start; one that cannot be loaded (model missing, corrupt, wrong shapes) is reported
with its file once and the cameras are still analysed for motion and picture health, never a crash loop.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import time
from collections.abc import Sequence
from typing import Any

from qorgau.video.analytics import consumers as consumer_registry
from qorgau.video.analytics.consumers import CameraChooser, FrameConsumer
from qorgau.video.analytics.contracts import Detector
from qorgau.video.analytics.decode import DecodeSink, FrameSlots
from qorgau.video.analytics.metrics import WorkerFigures, write_figures
from qorgau.video.analytics.motion import MotionDetector
from qorgau.video.analytics.pipeline import Analysis
from qorgau.video.analytics.tracker import start_scores
from qorgau.video.config import VideoSettings
from qorgau.video.contracts import CameraConfig, WorkerContext
from qorgau.video.enums import StreamKind

log = logging.getLogger(__name__)

TICK_S = 2.0
REPORT_S = 300.0  # the analysis figures are logged this often
DETECTOR_LOADER = "qorgau.video.analytics.detector:load_detector"  # (settings) -> Detector


def camera_fps(settings: VideoSettings, camera: CameraConfig) -> float:
    """The camera's analysis rate: its own setting or the default."""
    return settings.video_analytics_fps_per_camera.get(camera.code, settings.video_analytics_fps)


def analysed(settings: VideoSettings, cameras: Sequence[CameraConfig], choosers: Sequence[CameraChooser] = ()
             ) -> list[CameraConfig]:
    """The cameras to analyse: named in the settings, wanted by a consumer (e.g. one with rules) or in an analysed
    group; with a sub-stream and a rate above 0. Up to the per-worker limit, the named and wanted ones come first,
    then the lowest codes."""
    groups, codes = set(settings.video_analytics_groups), set(settings.video_analytics_cameras)
    ranked = []
    for camera in cameras:
        if not camera.url(StreamKind.SUB) or camera_fps(settings, camera) <= 0:
            continue
        if camera.code in codes or any(chooser.wants(camera) for chooser in choosers):
            ranked.append((0, camera.code, camera))
        elif camera.group in groups:
            ranked.append((1, camera.code, camera))
    chosen = [camera for _, _, camera in sorted(ranked, key=lambda row: row[:2])]
    limit = settings.video_analytics_cameras_limit
    return chosen if limit is None else chosen[:limit]


def camera_start_scores(settings: VideoSettings, code: str) -> dict[str, float]:
    """The scores that start tracks on a camera given detector thresholds of its own (tracker.start_scores)."""
    return start_scores({str(k): v for k, v in settings.video_detector_camera_scores.get(code, {}).items()})


def load_detector(settings: VideoSettings, loader: str = DETECTOR_LOADER) -> Detector | None:
    """The configured detector, or None (logged once, with the reason) when there is none or it cannot load."""
    module_name, _, name = loader.partition(":")
    try:
        module: Any = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        log.warning("video analytics: no object detector in this build; motion and picture checks only")
        return None
    try:
        detector: Detector = getattr(module, name)(settings)
    except Exception as exc:  # a bad model file must not make the worker restart the feature forever
        log.error("video analytics: the object detector could not be loaded, objects are not detected: %s", exc)
        return None
    log.info("video analytics: detector %s", detector.name)
    return detector


class AnalyticsFeature:
    """Implements ``contracts.Feature``."""

    def __init__(self, *, detector_loader: str = DETECTOR_LOADER,
                 consumers: tuple[str, ...] = consumer_registry.CONSUMERS) -> None:
        self.detector_loader = detector_loader
        self.consumer_names = consumers
        self.sinks: dict[int, DecodeSink] = {}
        self.analysis: Analysis | None = None
        self.slots: FrameSlots | None = None
        self.consumers: list[FrameConsumer] = []
        self._gone = (0, 0)  # frames decoded and decode errors of the sinks already closed (the totals keep them)

    async def run(self, worker: WorkerContext) -> None:
        settings = worker.settings
        if settings.video_analytics_fps <= 0:
            return
        import cv2  # the worker is one process per core: OpenCV's own thread pool would only contend

        cv2.setNumThreads(1)
        self.consumers = consumer_registry.load(worker, self.consumer_names)
        detector = await asyncio.to_thread(load_detector, settings, self.detector_loader)
        self.slots = FrameSlots(settings.video_analytics_queue)
        self.analysis = Analysis(self.slots, detector=detector, consumers=self.consumers, motion=lambda: MotionDetector(
            threshold=settings.video_analytics_motion_threshold, min_area=settings.video_analytics_motion_min_area,
            max_share=settings.video_analytics_motion_max_share),
            start_scores=lambda code: camera_start_scores(settings, code))
        self.analysis.start()
        reported = time.monotonic()
        try:
            while True:
                self.tick(worker)
                self.publish(worker)
                if time.monotonic() - reported >= REPORT_S:
                    reported = time.monotonic()
                    self.report(worker.index)
                await asyncio.sleep(TICK_S)
        finally:
            for device_id, sink in list(self.sinks.items()):
                worker.streams.detach(device_id, StreamKind.SUB, sink)
            self.sinks.clear()
            await asyncio.to_thread(self.analysis.stop)
            for consumer in self.consumers:
                try:
                    consumer.close()
                except Exception:
                    log.exception("analytics consumer %s failed to close", type(consumer).__name__)

    def tick(self, worker: WorkerContext) -> None:
        """Attach a decode sink to each camera to analyse, detach it from those no longer analysed."""
        settings, slots, analysis = worker.settings, self.slots, self.analysis
        if slots is None or analysis is None:
            return
        choosers = [c for c in self.consumers if isinstance(c, CameraChooser)]
        wanted = {camera.device_id: camera for camera in analysed(settings, worker.cameras(), choosers)}
        for device_id, sink in list(self.sinks.items()):
            camera = wanted.get(device_id)
            if camera is None or camera_fps(settings, camera) != sink.fps or camera.code != sink.code:
                sink.close()
                self._gone = (self._gone[0] + sink.decoded, self._gone[1] + sink.errors)
                worker.streams.detach(device_id, StreamKind.SUB, sink)
                del self.sinks[device_id]
                analysis.forget(device_id)
        for device_id, camera in wanted.items():
            if device_id in self.sinks:
                continue
            sink = DecodeSink(device_id, camera.code, fps=camera_fps(settings, camera),
                              width=settings.video_analytics_width, slots=slots)
            try:
                worker.streams.attach(device_id, StreamKind.SUB, sink)
            except KeyError:
                continue  # left the worker since its list was read
            self.sinks[device_id] = sink

    def figures(self) -> WorkerFigures | None:
        """The analysis totals since the start, for /metrics (None before the analysis started)."""
        if self.analysis is None or self.slots is None:
            return None
        f, sinks = self.analysis.figures, list(self.sinks.values())
        return WorkerFigures(cameras=len(sinks), frames_decoded=self._gone[0] + sum(s.decoded for s in sinks),
                             frames_analysed=f.frames, frames_dropped=sum(self.slots.dropped.values()),
                             decode_errors=self._gone[1] + sum(s.errors for s in sinks),
                             detector_runs=f.detector_runs, detector_errors=f.detector_errors,
                             detector_seconds=round(f.detect_s, 6), updated=time.time())

    def publish(self, worker: WorkerContext) -> None:
        """Write the totals where the server's /metrics reads them (a failed write is logged, then retried)."""
        figures = self.figures()
        if figures is None:
            return
        try:
            write_figures(worker.settings.video_dir / "analytics", worker.index, figures)
        except OSError as exc:
            log.warning("video analytics: figures not written for /metrics: %s", exc)

    def report(self, worker_index: int) -> None:
        """Log what the analysis did since start: frames, detector runs, drops, decode errors."""
        if self.analysis is None or self.slots is None:
            return
        figures = self.analysis.figures
        log.info("video analytics: %d cameras, %d frames analysed, %d detector runs, %d dropped (%d times behind),"
                 " %d decode errors", len(self.sinks), figures.frames, figures.detector_runs,
                 sum(self.slots.dropped.values()), sum(sink.shed for sink in self.sinks.values()),
                 sum(sink.errors for sink in self.sinks.values()), extra={"worker": worker_index})
