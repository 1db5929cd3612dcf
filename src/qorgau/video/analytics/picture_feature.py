"""Picture health in the video worker: each analysed camera's frames checked every few seconds, the verdicts
reported to the registry as degraded health with the picture's reason, the reference views stored and reset.

The checks run in the analysis thread (a few milliseconds per camera every ``check_every_s``); loading and
storing references and reporting health run in this consumer's own thread, one transaction per flush, so the
analysis never waits on the database. A camera whose picture is degraded stays degraded at the worker's
stream sightings too (the worker's ``status.PictureVerdicts``), or the next sighting would bring it back online
(ADR 0029).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload

from qorgau.core.bus import Context
from qorgau.core.db import Database
from qorgau.core.time import utcnow
from qorgau.devices import health
from qorgau.devices.enums import Health, HealthReason
from qorgau.devices.models import Device
from qorgau.video import status
from qorgau.video.analytics.contracts import AnalysedFrame
from qorgau.video.analytics.picture_health import Limits, PictureWatch, Problem, Reference
from qorgau.video.config import VideoSettings
from qorgau.video.contracts import WorkerContext
from qorgau.video.models import PictureReference

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

log = logging.getLogger(__name__)

FLUSH_EVERY_S = 5.0
# The reason reported when several problems are active at once: the one an operator acts on first.
PRIORITY = (Problem.COVERED, Problem.MOVED, Problem.FROZEN, Problem.DEFOCUSED)
REASONS = {Problem.FROZEN: HealthReason.PICTURE_FROZEN, Problem.COVERED: HealthReason.PICTURE_COVERED,
           Problem.DEFOCUSED: HealthReason.PICTURE_DEFOCUSED, Problem.MOVED: HealthReason.PICTURE_MOVED}

def limits_from(settings: VideoSettings) -> Limits:
    """The picture checks' thresholds and delays as the settings give them."""
    return Limits(frozen_share=settings.video_picture_frozen_share,
                  dark_brightness=settings.video_picture_dark_brightness,
                  flat_detail=settings.video_picture_flat_detail,
                  uniform_entropy=settings.video_picture_uniform_entropy,
                  defocus_ratio=settings.video_picture_defocus_ratio, defocus_blur=settings.video_picture_defocus_blur,
                  moved_shift=settings.video_picture_moved_shift, moved_scale=settings.video_picture_moved_scale,
                  moved_angle_deg=settings.video_picture_moved_angle_deg,
                  min_matches=settings.video_picture_min_matches, raise_after_s=settings.video_picture_raise_s,
                  clear_after_s=settings.video_picture_clear_s, learn_after_s=settings.video_picture_learn_s)


def worst(active: frozenset[Problem]) -> Problem | None:
    """The problem to name when several are active."""
    return next((p for p in PRIORITY if p in active), None)


@dataclass(frozen=True, slots=True)
class Report:
    """What a check changed for one camera, for the flush."""

    device_id: int
    code: str
    active: frozenset[Problem]
    changed: bool  # a problem was raised or cleared
    reference: Reference | None = None  # learned (or given a new mode) at this check: store it


class PictureHealthConsumer:
    """Implements ``analytics.consumers.FrameConsumer``."""

    def __init__(self, worker: WorkerContext, *, limits: Limits | None = None, check_every_s: float | None = None,
                 flush_every_s: float | None = None, start: bool = True) -> None:
        self.db: Database = worker.db
        self.pictures: status.PictureVerdicts = worker.pictures
        if limits is None or check_every_s is None:
            settings = worker.settings
            limits = limits or limits_from(settings)
            check_every_s = settings.video_picture_check_s if check_every_s is None else check_every_s
        self.limits = limits
        self.enabled = check_every_s > 0
        self.check_every_s = check_every_s
        self.flush_every_s = FLUSH_EVERY_S if flush_every_s is None else flush_every_s
        self._watches: dict[int, PictureWatch] = {}
        self._wanted: dict[int, str] = {}  # cameras seen but not loaded yet: device id -> code
        self._codes: dict[int, str] = {}
        self._due: dict[int, float] = {}
        self._stored: set[int] = set()  # cameras whose reference row exists (as far as this consumer knows)
        self._reported: set[int] = set()  # cameras this consumer made degraded
        self._lock = threading.Lock()
        self._outbox: queue.SimpleQueue[Report] = queue.SimpleQueue()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="picture-health", daemon=True)
        if start and self.enabled:
            self._thread.start()

    # -- the analysis thread ---------------------------------------------------------------------------------
    def frame(self, analysed: AnalysedFrame, bgr: npt.NDArray[np.uint8]) -> None:
        """Check the camera's picture if its check is due (the frame itself is not kept)."""
        now = time.monotonic()
        device_id = analysed.device_id
        if not self.enabled or now < self._due.get(device_id, 0.0):
            return
        self._due[device_id] = now + self.check_every_s
        with self._lock:
            watch = self._watches.get(device_id)
            if watch is None:
                self._wanted[device_id] = analysed.code
                return
            outcome = watch.check(bgr, now)
            active = watch.active
        if outcome.raised or outcome.cleared or outcome.learned:
            self._outbox.put(Report(device_id=device_id, code=analysed.code, active=active,
                                    changed=bool(outcome.raised or outcome.cleared),
                                    reference=watch.reference if outcome.learned else None))

    def close(self) -> None:
        """Stop the flush thread after a last flush."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10.0)
        elif self.enabled:
            self._flush_logged()

    # -- the consumer's own thread ---------------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.wait(self.flush_every_s):
            self._flush_logged()
        self._flush_logged()

    def _flush_logged(self) -> None:
        try:
            self.flush()
        except Exception:
            log.exception("picture health flush failed")

    def flush(self, now: datetime | None = None) -> None:
        """Load the references of new cameras, notice resets, store learned references, report health."""
        now = now or utcnow()
        with self._lock:
            wanted = dict(self._wanted)
            known = sorted(self._stored)
        reports: list[Report] = []
        while True:
            try:
                reports.append(self._outbox.get_nowait())
            except queue.Empty:
                break
        with self._lock:
            stored, reported = set(self._stored), set(self._reported)
        try:
            with self.db.unit_of_work() as session:
                self._load(session, wanted)
                reports += self._resets(session, known)
                for report in reports:
                    if report.reference is not None:
                        self._store(session, report.device_id, report.reference, now)
                self._report(session, [r for r in reports if r.changed], now)
        except Exception:
            # Not written: what was learned and judged is written at the next flush, as if never tried.
            with self._lock:
                self._stored, self._reported = stored, reported
            for report in reports:
                self._outbox.put(report)
            raise
        for report in reports:  # for the worker's sightings, once the change is committed
            problem = worst(report.active)
            degraded = problem is not None and report.device_id in self._reported
            self.pictures.set(report.device_id, f"picture {problem.value}" if degraded and problem else None)

    def _load(self, session: Session, wanted: dict[int, str]) -> None:
        if not wanted:
            return
        rows = {row.device_id: row for row in session.scalars(
            select(PictureReference).where(PictureReference.device_id.in_(list(wanted))))}
        for device_id, code in wanted.items():
            reference = None
            row = rows.get(device_id)
            if row is not None:
                try:
                    reference = Reference.from_png(row.image, row.sharpness, row.blur)
                except ValueError:
                    log.warning("picture reference of %s unreadable: learning a new one", code)
            with self._lock:
                self._watches[device_id] = PictureWatch(self.limits, reference)
                self._codes[device_id] = code
                self._wanted.pop(device_id, None)
                if reference is not None:
                    self._stored.add(device_id)

    def _resets(self, session: Session, known: list[int]) -> list[Report]:
        """Cameras whose stored reference an admin deleted: forget it, learn anew."""
        if not known:
            return []
        present = set(session.scalars(select(PictureReference.device_id)
                                      .where(PictureReference.device_id.in_(known))))
        reports = []
        for device_id in set(known) - present:
            with self._lock:
                self._stored.discard(device_id)
                watch = self._watches.get(device_id)
                cleared = watch.forget_reference() if watch is not None else ()
                active = watch.active if watch is not None else frozenset()
            log.info("picture reference of %s reset: learning a new one", self._codes.get(device_id, device_id))
            reports.append(Report(device_id=device_id, code=self._codes.get(device_id, ""), active=active,
                                  changed=bool(cleared)))
        return reports

    def _store(self, session: Session, device_id: int, reference: Reference, now: datetime) -> None:
        row = session.get(PictureReference, device_id)
        if row is None:
            row = PictureReference(device_id=device_id)
            session.add(row)
        row.image, row.learned_at = reference.to_png(), now
        row.sharpness, row.blur = dict(reference.sharpness), dict(reference.blur)
        with self._lock:
            self._stored.add(device_id)

    def _report(self, session: Session, reports: list[Report], now: datetime) -> None:
        """Degraded with the worst problem's reason; back online when the last problem clears (only if it was
        this consumer that made it degraded: a stream failure or another source's report is left alone)."""
        if not reports:
            return
        latest = {r.device_id: r for r in reports}
        devices = {d.id: d for d in session.scalars(select(Device).where(Device.id.in_(list(latest)))
                                                     .options(lazyload("*")))}
        for device_id, report in latest.items():
            device = devices.get(device_id)
            if device is None:
                continue
            ctx = Context(actor="system:video", simulated=device.simulated)
            problem = worst(report.active)
            if problem is not None:
                if device.health == Health.ONLINE:
                    health.change(session, device, Health.DEGRADED, REASONS[problem], ctx=ctx, now=now,
                                  detail=f"picture {problem.value}")
                    self._reported.add(device_id)
            elif device_id in self._reported:
                self._reported.discard(device_id)
                if device.health == Health.DEGRADED:
                    health.change(session, device, Health.ONLINE, HealthReason.HEARTBEAT, ctx=ctx, now=now,
                                  detail="picture good again")

