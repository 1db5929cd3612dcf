"""One video worker: its share of the cameras, their streams (``Hub``), the features, and the status flushes.

The worker is the ``WorkerContext`` its features get. Cameras are re-read when the registry's revision or the
video settings tables change (checked every status interval) and every ``REFRESH_EVERY_S`` regardless. Stream
state changes, the status rows and the registry health verdicts are written together, one transaction per
flush, every ``video_status_interval_s``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
import time
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select

from qorgau.core.aio import within
from qorgau.core.db import Database
from qorgau.core.time import utcnow
from qorgau.devices import revision
from qorgau.video import cameras as camera_rows
from qorgau.video import status
from qorgau.video.config import VideoSettings
from qorgau.video.contracts import CameraConfig, Feature, StreamHub
from qorgau.video.enums import CameraState, StreamKind
from qorgau.video.hub import Hub
from qorgau.video.leases import LeaseKeeper
from qorgau.video.models import CameraGroup, VideoCamera
from qorgau.video.source import Source

log = logging.getLogger(__name__)

REFRESH_EVERY_S = 30.0
FEATURE_RESTART_S = (1.0, 30.0)  # a crashed feature is restarted after 1 s, doubling up to 30 s


class Worker:
    """Implements ``contracts.WorkerContext``."""

    def __init__(self, settings: VideoSettings, db: Database, *, index: int = 0, count: int = 1,
                 features: Sequence[Feature] = (), pace_files: bool = True, leases: LeaseKeeper | None = None) -> None:
        self.index = index
        self.leases = leases  # None: this worker owns the cameras whose id modulo ``count`` is ``index``
        self.count = count
        self.settings = settings
        self.db = db
        self.features = list(features)
        self._changes: queue.SimpleQueue[status.StateChange] = queue.SimpleQueue()
        self._published: dict[tuple[int, StreamKind], CameraState] = {}  # the last state published per stream
        self._published_lock = threading.Lock()
        self.hub = Hub(settings, on_state=self._on_state, pace_files=pace_files)
        self.streams: StreamHub = self.hub
        self._cameras: list[CameraConfig] = []
        self._candidates: list[CameraConfig] = []  # with leases: every camera in service, ours or not
        self._cameras_lock = threading.Lock()
        self._stamp: tuple[object, ...] | None = None
        self._refreshed = 0.0
        self._judge = status.HealthJudge()
        self.pictures = status.PictureVerdicts()
        self._writer = status.StatusWriter()
        self.flushes = 0

    def cameras(self) -> Sequence[CameraConfig]:
        return self._cameras

    # -- called from reader threads --------------------------------------------------------------------------
    def _on_state(self, source: Source, previous: CameraState, current: CameraState, detail: str | None) -> None:
        """Publish what an operator would want to know: a stream failing (once, not at each retry) and recovering.
        Opening and closing a healthy stream (a viewer, a probe, the idle stop) is no news: the status rows say."""
        key = (source.camera.device_id, source.kind)
        with self._published_lock:
            last = self._published.get(key, CameraState.IDLE)
            if current is CameraState.CONNECTING or current is last:
                return
            self._published[key] = current
            if current is CameraState.IDLE or (current is CameraState.STREAMING and last is CameraState.IDLE):
                return
        log.info("camera %s %s stream: %s -> %s%s", source.camera.code, source.kind.value, last.value, current.value,
                 f" ({detail})" if detail else "")
        self._changes.put(status.StateChange(
            device_id=source.camera.device_id, code=source.camera.code, kind=source.kind, previous=last,
            current=current, detail=detail, at=utcnow(), simulated=source.camera.simulated))

    # -- blocking steps, run in a thread ---------------------------------------------------------------------
    def _stamp_now(self) -> tuple[object, ...]:
        with self.db.sessions() as session:
            registry = revision.current(session)[0]
            video = session.execute(select(func.max(VideoCamera.updated_at), func.count())
                                    .select_from(VideoCamera)).one()
            groups = session.scalar(select(func.max(CameraGroup.updated_at)))
        return (registry, *video, groups)

    def refresh(self, *, force: bool = False) -> bool:
        """Re-read this worker's cameras if anything they depend on changed; returns whether it did."""
        stamp = self._stamp_now()
        due = time.monotonic() - self._refreshed >= REFRESH_EVERY_S
        if not force and not due and stamp == self._stamp:
            return False
        with self.db.sessions() as session:
            if self.leases is None:
                cameras = camera_rows.load(session, self.settings, index=self.index, count=self.count)
            else:
                cameras = camera_rows.load(session, self.settings)
        self._stamp, self._refreshed = stamp, time.monotonic()
        self._candidates = cameras
        self._set_cameras()
        return True

    def _set_cameras(self) -> None:
        """Hand the hub the cameras this worker records: all it loaded, or with leases those it holds now (a camera
        whose lease was lost is closed here, so its recording stops at once)."""
        with self._cameras_lock:
            cameras = self._candidates
            if self.leases is not None:
                held = self.leases.held
                cameras = [camera for camera in cameras if camera.device_id in held]
            self._cameras = cameras
            self.hub.set_cameras(cameras)

    def candidate_ids(self) -> list[int]:
        return [camera.device_id for camera in self._candidates]

    def flush(self, now: datetime | None = None) -> None:
        """Write the status rows, publish the state changes, report health: one transaction."""
        now = now or utcnow()
        changes = []
        while True:
            try:
                changes.append(self._changes.get_nowait())
            except queue.Empty:
                break
        figures = self.hub.figures()
        seen, failures = self._judge.verdicts(figures)
        reported = dict(self._judge.reported)
        try:
            with self.db.unit_of_work() as session:
                self._writer.write(session, worker=self.index, figures=figures, now=now)
                status.publish_changes(session, changes)
                status.apply_verdicts(session, seen=seen, failures=failures, judge=self._judge, now=now,
                                     pictures=self.pictures)
        except Exception:
            self._judge.reported = reported  # not written: reported again at the next flush
            self._writer.forget()
            for change in changes:
                self._changes.put(change)
            raise
        self.flushes += 1

    # -- the loop --------------------------------------------------------------------------------------------
    async def run(self, stop: asyncio.Event) -> None:
        """Run until ``stop`` is set; then stop the features and the streams within the shutdown grace."""
        await asyncio.to_thread(self.refresh, force=True)
        log.info("video worker %d of %d started with %d cameras", self.index, self.count, len(self._cameras))
        tasks = [asyncio.create_task(self._keep_running(feature), name=type(feature).__name__)
                 for feature in self.features]
        if self.leases is not None:
            await asyncio.to_thread(self.leases.join)
            tasks.append(asyncio.create_task(self.leases.run(stop, self.candidate_ids, self._set_cameras),
                                             name="LeaseKeeper"))
        interval = self.settings.video_status_interval_s
        try:
            while not stop.is_set():
                with contextlib.suppress(TimeoutError):
                    await within(stop.wait(), interval)
                try:
                    await asyncio.to_thread(self.refresh)
                    await asyncio.to_thread(self.flush)
                except Exception:
                    log.exception("video worker status flush failed", extra={"worker": self.index})
        finally:
            grace = max(1.0, float(self.settings.shutdown_grace_s) - 1.0)
            for task in tasks:
                task.cancel()
            if tasks:
                await asyncio.wait(tasks, timeout=grace / 2)
            ended = await asyncio.to_thread(self.hub.close, grace / 2)
            if not ended:
                log.warning("some camera readers were still blocked at shutdown", extra={"worker": self.index})
            if self.leases is not None:
                try:  # the streams are closed: the others may take the cameras now rather than at expiry
                    await asyncio.to_thread(self.leases.leave)
                except Exception:
                    log.exception("video worker could not free its leases", extra={"worker": self.index})
            try:
                await asyncio.to_thread(self.flush)
            except Exception:
                log.exception("video worker final status flush failed", extra={"worker": self.index})
            log.info("video worker %d stopped", self.index)

    async def _keep_running(self, feature: Feature) -> None:
        name = type(feature).__name__
        delay = FEATURE_RESTART_S[0]
        while True:
            started = time.monotonic()
            try:
                await feature.run(self)
                log.info("video feature ended", extra={"feature": name, "worker": self.index})
                return
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("video feature %s crashed; restarting", name, extra={"worker": self.index})
            if time.monotonic() - started > 60:
                delay = FEATURE_RESTART_S[0]
            await asyncio.sleep(delay)
            delay = min(FEATURE_RESTART_S[1], delay * 2)
