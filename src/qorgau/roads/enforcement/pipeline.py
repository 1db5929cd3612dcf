"""What the violation pipeline does with a finished track, in its own thread: find the track's plate, build the
`Capture`, and open a speed or red-light violation (and measure sections between speed points), each step in its
own transaction so one failure loses only itself (ADR 0043)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from qorgau.audit.service import Actor
from qorgau.audit.signing import Signer, load_signer
from qorgau.core.bus import Context
from qorgau.core.db import Database
from qorgau.core.errors import QorgauError
from qorgau.devices import service as device_service
from qorgau.roads import service as roads_service
from qorgau.roads.enforcement import review, sections, service
from qorgau.roads.enforcement.consumer import INTERSECTION, SPEED, CameraRole, TrackRecord
from qorgau.roads.enforcement.models import Violation

log = logging.getLogger(__name__)
ACTOR = Actor(ref="system:violation-pipeline", name="video pipeline")
PLATE_SLACK = timedelta(seconds=1)  # a read's time is its track's last sighting, stamped by another thread
EXPORT_MARGIN = timedelta(seconds=2)  # recorded before and after the track
EXPORT_RETRY_S = 30.0  # the recorder indexes a segment when it closes: the track's end may not be there yet
EXPORT_TRIES = 10


@dataclass(frozen=True, slots=True)
class Plate:
    """The plate of a track: as read, how sure, its crop (JPEG) and the read's id."""

    text: str
    confidence: float
    crop: bytes | None
    read_id: int | None


@dataclass(slots=True)
class _Export:
    """A video export still to request for an opened violation (its recording may not be indexed yet)."""

    violation_id: int
    code: str
    start: datetime
    end: datetime
    tries: int = 0
    due: float = 0.0


def jpeg(image: NDArray[np.uint8], quality: int = 90) -> bytes:
    """A BGR picture as JPEG bytes (evidence quality)."""
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("the picture could not be encoded as JPEG")
    return bytes(data.tobytes())


class ViolationOpener:
    """Turns a finished track into a violation (or a counted reason why not): the consumer's handler."""

    def __init__(self, db: Database, settings: Any, *, signer: Signer | None = None,
                 reader_factory: Callable[[], Any] | None = None) -> None:
        self.db, self.settings = db, settings
        self.signer = signer or load_signer(settings)
        self.evidence_root = settings.data_dir / "violations"
        self.rules = sections.SectionRules(tolerance_kmh=settings.speed_tolerance_kmh,
                                           max_s=settings.violation_section_max_s,
                                           max_m=settings.violation_section_max_m)
        self._reader_factory = reader_factory or self._default_reader
        self._reader: Any = None
        self._exports: list[_Export] = []

    def _default_reader(self) -> Any:
        from qorgau.roads.plates.config import reader_config
        from qorgau.roads.plates.reader import PlateReader

        return PlateReader(reader_config(self.settings))

    def roles(self, cameras: dict[int, tuple[str, str]], plate_groups: frozenset[str]) -> dict[int, CameraRole]:
        """The role of each camera (id -> (code, purpose)) from its purpose and its enforcement point."""
        out: dict[int, CameraRole] = {}
        with self.db.unit_of_work() as session:
            for device_id, (code, group) in cameras.items():
                if group not in (SPEED, INTERSECTION):
                    continue
                point = service.point(session, device_code=code)
                lamp = None
                if group == INTERSECTION and point is not None and point.lamp_roi and not point.controller \
                        and len(point.lamp_roi) == 4:
                    x, y, w, h = (int(v) for v in point.lamp_roi)
                    lamp = (x, y, w, h)
                out[device_id] = CameraRole(group, lamp, reads_plates=group not in plate_groups)
        return out

    def __call__(self, record: TrackRecord) -> str:
        snaps = record.snapshots()
        if len(snaps) < 2:  # evidence needs two pictures; a track this short measures nothing anyway
            return f"{record.role.kind}:one_picture"
        plate = self.plate(record)
        capture = review.Capture(
            device_code=record.code, times=list(record.times), boxes=list(record.boxes),
            images={name: jpeg(snap.frame) for name, snap in snaps},
            plate_crop=plate.crop if plate else None, plate_text=plate.text if plate else None,
            plate_confidence=plate.confidence if plate else None, read_id=plate.read_id if plate else None,
            clip={"camera": record.code, "from": record.times[0].isoformat(), "to": record.times[-1].isoformat(),
                  "export_id": None},
            signal_frames=list(record.signal), signal_cropped=True)
        if record.role.kind == SPEED:
            return self._speed(capture)
        with self.db.unit_of_work() as session:
            outcome = review.open_red_light(session, capture=capture, grace_s=self.settings.violation_red_grace_s,
                                            signer=self.signer, evidence_root=self.evidence_root, actor=ACTOR)
            opened = outcome.violation.id if outcome.violation else None
        return f"red_light:{outcome.skipped or 'opened'}{self._export(opened, capture)}"

    def _speed(self, capture: review.Capture) -> str:
        default = self.settings.speed_default_limit_kmh
        with self.db.unit_of_work() as session:
            limit = service.limit_of(session, device_code=capture.device_code, default_kmh=default)
            outcome = review.open_speed(session, capture=capture, limit_kmh=limit.kmh,
                                        tolerance_kmh=self.settings.speed_tolerance_kmh, signer=self.signer,
                                        evidence_root=self.evidence_root, actor=ACTOR,
                                        max_uncertainty_kmh=self.settings.speed_max_uncertainty_kmh)
            opened = outcome.violation.id if outcome.violation else None
        spot = f"speed:{outcome.skipped or 'opened'}{self._export(opened, capture)}"
        if not sections.complete(capture.plate_text):
            return spot
        try:  # its own transaction: a failed section loses neither the spot violation nor the passage before
            with self.db.unit_of_work() as session:
                section = sections.passage(session, capture=capture,
                                           passed_at=capture.times[len(capture.times) // 2], limit_kmh=limit.kmh,
                                           rules=self.rules, signer=self.signer, evidence_root=self.evidence_root,
                                           actor=ACTOR)
        except Exception:
            log.exception("section control failed at camera %s", capture.device_code)
            return f"{spot} section:failed"
        return f"{spot} section:{'waiting' if section is None else section.skipped or 'opened'}"

    def _export(self, violation_id: int | None, capture: review.Capture) -> str:
        """Request the video export of an opened violation's track (" export:<outcome>", or "" when none opened)."""
        if violation_id is None:
            return ""
        job = _Export(violation_id, capture.device_code, capture.times[0] - EXPORT_MARGIN,
                      capture.times[-1] + EXPORT_MARGIN)
        return f" {self._try_export(job)}"

    def _try_export(self, job: _Export) -> str:
        from qorgau.video import exports as video_exports

        job.tries += 1
        try:
            with self.db.unit_of_work() as session:
                device = device_service.get(session, job.code)
                export = video_exports.request(
                    session=session, devices=[device], start_at=job.start, end_at=job.end,
                    reason=f"violation {job.violation_id}", incident_id=None, actor=ACTOR,
                    ctx=Context(actor=ACTOR.ref, simulated=bool(device.simulated)))
                violation = session.get(Violation, job.violation_id)
                if violation is not None:
                    violation.export_id = export.id
        except QorgauError as exc:
            if exc.code == "video.export_beyond_recording" and job.tries < EXPORT_TRIES:
                job.due = time.monotonic() + EXPORT_RETRY_S
                self._exports.append(job)
                return "export:waiting"
            log.info("no export for violation %d: %s", job.violation_id, exc.code)
            return "export:unavailable"  # recording off at this camera, or never indexed in time
        return "export:requested"

    def retry_exports(self, *, everything: bool = False) -> list[str]:
        """Request the exports whose retry is due (all of them with ``everything``); what came of each."""
        now = time.monotonic()
        due = [job for job in self._exports if everything or job.due <= now]
        self._exports = [job for job in self._exports if job not in due]
        return [self._try_export(job) for job in due]

    def plate(self, record: TrackRecord) -> Plate | None:
        """The plate reader's read of the same track; where the plate consumer does not cover the camera, the
        pipeline reads the track's pictures itself and stores the read (so watch lists see it too)."""
        if not record.role.reads_plates:
            with self.db.unit_of_work() as session:
                read = roads_service.read_of_track(session, device_id=record.device_id, track_id=record.track_id,
                                                   since=record.times[0] - PLATE_SLACK,
                                                   until=record.times[-1] + PLATE_SLACK)
                return None if read is None else Plate(read.plate, read.confidence, bytes(read.crop), read.id)
        return self._read_plate(record)

    def _read_plate(self, record: TrackRecord) -> Plate | None:
        from qorgau.roads.plates.vote import vote
        from qorgau.roads.schemas import PlateReadIn

        self._reader = self._reader or self._reader_factory()
        crops = []
        for _, snap in record.snapshots():
            x1, y1, x2, y2 = (round(v) for v in snap.box)
            height, width = snap.frame.shape[:2]
            crop = snap.frame[max(0, y1):min(height, y2), max(0, x1):min(width, x2)]
            if crop.size:
                crops.append(np.ascontiguousarray(crop))
        voted = vote([read for crop in crops if (read := self._reader.read(crop)) is not None])
        if voted is None:
            return None
        candidate, crop_jpeg = voted.candidate, jpeg(voted.crop)
        read_in = PlateReadIn(device_id=record.device_id, seen_at=record.times[-1], plate=candidate.text,
                              format=candidate.format_code, country=candidate.country.value,
                              region=candidate.region_code, confidence=voted.confidence, crop=crop_jpeg,
                              vehicle_class=record.label, track_id=record.track_id)
        with self.db.unit_of_work() as session:
            read_id = roads_service.record_read(session, read_in)
        return Plate(read_in.plate, voted.confidence, crop_jpeg, read_id)
