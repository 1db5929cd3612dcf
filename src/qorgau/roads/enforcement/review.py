"""Violations: opened from a measurement with their evidence package, queued for an officer, decided (audited),
and the rejection statistics per device. Nothing is issued automatically. Functions never commit."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qorgau.audit import service as audit
from qorgau.audit.signing import Signer
from qorgau.city import service as city_service
from qorgau.city.enums import Mode
from qorgau.core.bus import Context, publish
from qorgau.core.errors import Conflict, NotFound, ValidationFailed
from qorgau.core.time import as_utc, utcnow
from qorgau.devices import service as device_service
from qorgau.roads.enforcement import evidence, fines, measure, service
from qorgau.roads.enforcement.enums import (
    Decision,
    PhaseSource,
    RejectReason,
    SignalPhase,
    ViolationKind,
    ViolationStatus,
)
from qorgau.roads.enforcement.events import VIOLATION_DECIDED, VIOLATION_OPENED, ViolationDecided, ViolationOpened
from qorgau.roads.enforcement.models import Violation

Box = tuple[float, float, float, float]
NEEDS_CALIBRATION_SHARE = 0.3  # a device with this share of its decided violations rejected needs a check
NEEDS_CALIBRATION_MIN = 5  # decided violations before the share means anything


@dataclass(frozen=True)
class Capture:
    """What the video side hands over for one vehicle: times and boxes of its track, the pictures and the plate."""

    device_code: str
    times: Sequence[datetime]
    boxes: Sequence[Box]
    images: dict[str, bytes]  # at least two pictures: name -> JPEG bytes
    plate_crop: bytes | None = None
    plate_text: str | None = None
    plate_confidence: float | None = None
    read_id: int | None = None
    clip: dict[str, Any] = field(default_factory=dict)  # the recording's reference: camera, from, to, export id
    time_source: str = "ntp"
    # Frames (BGR) of the picture with the signal head, for intersections read from the picture, not a controller.
    signal_frames: Sequence[tuple[datetime, NDArray[np.uint8]]] = ()
    signal_cropped: bool = False  # the signal frames are the lamp ROI already (the pipeline keeps only that part)


@dataclass(frozen=True)
class Outcome:
    """A violation opened, or why none was: ``skipped`` is a NoMeasurement or 'under_limit' / 'not_red'."""

    violation: Violation | None
    skipped: str | None = None
    kmh: float | None = None


def _seconds(times: Sequence[datetime]) -> list[float]:
    start = as_utc(times[0])
    return [(as_utc(t) - start).total_seconds() for t in times]


def _open(session: Session, *, capture: Capture, kind: ViolationKind, occurred_at: datetime, facts: dict[str, Any],
          row: dict[str, Any], rule: fines.FineRule | None, signer: Signer, evidence_root: Path,
          actor: audit.Actor) -> Violation:
    if len(capture.images) < evidence.MIN_IMAGES:
        raise ValidationFailed("violations.evidence.too_few_images",
                               errors=[{"code": "violations.evidence.too_few_images", "field": "images"}])
    device = device_service.get(session, capture.device_code)
    files = dict(capture.images)
    if capture.plate_crop is not None:
        files["plate.png"] = capture.plate_crop
    name = uuid.uuid4().hex
    manifest = evidence.write(evidence_root / name, files, {
        "kind": str(kind), "device": device.code, "place": {"lon": device.lon, "lat": device.lat},
        "occurred_at": as_utc(occurred_at).isoformat(), "time_source": capture.time_source,
        "plate": {"text": capture.plate_text, "confidence": capture.plate_confidence, "read_id": capture.read_id},
        "clip": capture.clip, "article": rule.article if rule else None, "part": rule.part if rule else None,
        "fine_mrp": rule.fine_mrp if rule else None, **facts}, signer)
    data = (evidence_root / name / evidence.MANIFEST).read_bytes()
    violation = Violation(
        kind=str(kind), device_code=device.code, occurred_at=as_utc(occurred_at), time_source=capture.time_source,
        lon=device.lon, lat=device.lat, plate_text=capture.plate_text, plate_confidence=capture.plate_confidence,
        read_id=capture.read_id, article=rule.article if rule else None, part=rule.part if rule else None,
        fine_mrp=rule.fine_mrp if rule else None, evidence=name, manifest_sha256=hashlib.sha256(data).hexdigest(),
        status=str(ViolationStatus.PENDING), created_at=utcnow(), **row)
    session.add(violation)
    session.flush()
    audit.record(session, action="violations.opened", actor=actor, target_type="violation",
                 target_id=str(violation.id), details={"kind": str(kind), "device": device.code,
                                                       "manifest_sha256": violation.manifest_sha256,
                                                       "files": len(manifest["files"])})
    publish(session, VIOLATION_OPENED, subject_id=str(violation.id), occurred_at=violation.occurred_at,
            ctx=Context(actor=actor.ref, simulated=bool(device.simulated)),
            payload=ViolationOpened(violation_id=violation.id, kind=violation.kind, code=device.code,
                                    occurred_at=violation.occurred_at, measured_kmh=violation.measured_kmh,
                                    limit_kmh=violation.limit_kmh, phase=violation.phase,
                                    has_plate=bool(violation.plate_text), lon=violation.lon, lat=violation.lat))
    return violation


def open_speed(session: Session, *, capture: Capture, limit_kmh: float, tolerance_kmh: float, signer: Signer,
               evidence_root: Path, actor: audit.Actor, max_uncertainty_kmh: float | None = None) -> Outcome:
    """Measure a tracked vehicle's spot speed and open a violation when it is over limit + tolerance even after
    its measurement error (one sigma) is taken off in the driver's favour."""
    calibration = service.calibration(session, device_code=capture.device_code)
    found = measure.spot_speed(_seconds(capture.times), capture.boxes, service.homography_of(calibration),
                               max_uncertainty_kmh=max_uncertainty_kmh)
    if isinstance(found, measure.NoMeasurement) or calibration is None:  # no calibration: UNCALIBRATED
        return Outcome(None, str(found))
    counted = found.kmh - found.sigma_kmh
    if counted <= limit_kmh + tolerance_kmh:
        return Outcome(None, "under_limit", found.kmh)
    table, _, _ = service.fine_table(session)
    rule = fines.rule_for(fines.parse(table), "speed", counted - limit_kmh)
    middle = capture.times[len(capture.times) // 2]
    facts = {"measurement": {"method": found.method, "speed_kmh": round(found.kmh, 2),
                             "sigma_kmh": round(found.sigma_kmh, 2), "counted_kmh": round(counted, 2),
                             "limit_kmh": limit_kmh, "tolerance_kmh": tolerance_kmh,
                             "error_budget": {"fit_kmh": round(found.fit_sigma_kmh, 3),
                                              "calibration_kmh": round(found.calibration_sigma_kmh, 3)},
                             "points_used": found.points_used, "points_dropped": found.points_dropped,
                             "track_m": round(found.track_m, 2)},
             "calibration": {"id": calibration.id, "date": as_utc(calibration.created_at).isoformat(),
                             "rms_m": calibration.rms_m, "by": calibration.created_by_name}}
    row = {"measured_kmh": found.kmh, "sigma_kmh": found.sigma_kmh, "limit_kmh": limit_kmh, "method": found.method,
           "calibration_id": calibration.id, "calibrated_at": calibration.created_at}
    violation = _open(session, capture=capture, kind=ViolationKind.SPEED, occurred_at=middle, facts=facts, row=row,
                      rule=rule, signer=signer, evidence_root=evidence_root, actor=actor)
    return Outcome(violation, None, found.kmh)


def open_red_light(session: Session, *, capture: Capture, grace_s: float, signer: Signer, evidence_root: Path,
                   actor: audit.Actor) -> Outcome:
    """Open a red-light violation when the track crosses the camera's stop line while its controller says red."""
    point = service.point(session, device_code=capture.device_code)
    if point is None or not point.stop_line or not (point.controller or point.lamp_roi):
        return Outcome(None, "no_stop_line")
    feet = [((b[0] + b[2]) / 2.0, max(b[1], b[3])) for b in capture.boxes]
    line = ((point.stop_line[0][0], point.stop_line[0][1]), (point.stop_line[1][0], point.stop_line[1][1]))
    crossed = measure.crossing_time(_seconds(capture.times), feet, line)
    if crossed is None:
        return Outcome(None, "no_crossing")
    at = as_utc(capture.times[0]) + timedelta(seconds=crossed)
    if point.controller:
        phase, source = service.phase_at(session, controller=point.controller, at=at), PhaseSource.CONTROLLER
    else:
        roi = list(point.lamp_roi or [])
        if capture.signal_cropped and len(roi) == 4:
            roi = [0, 0, roi[2], roi[3]]
        phase, source = _phase_from_picture(capture.signal_frames, roi, at), PhaseSource.PICTURE
    if phase is None:
        return Outcome(None, "phase_unknown")
    red_for = (at - phase[1]).total_seconds()
    if phase[0] is not SignalPhase.RED or red_for < grace_s:
        return Outcome(None, "not_red")
    table, _, _ = service.fine_table(session)
    rule = fines.rule_for(fines.parse(table), "red_light")
    method = ("stop-line crossing of the box's bottom-centre; phase from the intersection controller"
              if source is PhaseSource.CONTROLLER else
              "stop-line crossing of the box's bottom-centre; red lamp read from the picture of the signal head")
    facts = {"measurement": {"method": method, "crossed_at": at.isoformat(), "phase": str(phase[0]),
                             "phase_since": phase[1].isoformat(), "red_for_s": round(red_for, 3),
                             "phase_source": str(source), "controller": point.controller,
                             "lamp_roi": point.lamp_roi, "grace_s": grace_s, "stop_line": point.stop_line}}
    row = {"phase": str(phase[0]), "phase_source": str(source), "red_for_s": red_for, "method": method}
    violation = _open(session, capture=capture, kind=ViolationKind.RED_LIGHT, occurred_at=at, facts=facts, row=row,
                      rule=rule, signer=signer, evidence_root=evidence_root, actor=actor)
    return Outcome(violation, None)


def _phase_from_picture(frames: Sequence[tuple[datetime, NDArray[np.uint8]]], roi: list[int],
                        at: datetime) -> tuple[SignalPhase, datetime] | None:
    """The lamp's state at ``at`` from the last frame before it, and since when: the first frame of the unbroken
    run of the same state (so "red for" is known to the frame interval). None without frames before ``at``."""
    if len(roi) != 4:
        return None
    before = sorted(((as_utc(t), f) for t, f in frames if as_utc(t) <= at), key=lambda pair: pair[0])
    if not before:
        return None
    states = [measure.red_lamp(frame, (roi[0], roi[1], roi[2], roi[3])).red for _, frame in before]
    since = len(states) - 1
    while since > 0 and states[since - 1] == states[-1]:
        since -= 1
    # Only the red lamp is read: "not red" is never stored, it only means no violation, so GREEN stands for it.
    return (SignalPhase.RED if states[-1] else SignalPhase.GREEN), before[since][0]


def queue(session: Session, *, status: ViolationStatus, after_id: int | None, limit: int) -> Sequence[Violation]:
    query = select(Violation).where(Violation.status == str(status)).order_by(Violation.id).limit(limit)
    if after_id is not None:
        query = query.where(Violation.id > after_id)
    return session.scalars(query).all()


def get(session: Session, violation_id: int) -> Violation:
    found = session.get(Violation, violation_id)
    if found is None:
        raise NotFound("violations.not_found", params={"id": violation_id})
    return found


def decide(session: Session, *, violation_id: int, decision: Decision, reason: RejectReason | None,
           actor: audit.Actor) -> Violation:
    """Confirm or reject a pending violation (a rejection names its reason); a decided one is not decided again."""
    violation = session.scalars(select(Violation).where(Violation.id == violation_id).with_for_update()).first()
    if violation is None:
        raise NotFound("violations.not_found", params={"id": violation_id})
    if violation.status != ViolationStatus.PENDING:
        raise Conflict("violations.already_decided", params={"status": violation.status})
    if decision is Decision.REJECT and reason is None:
        raise ValidationFailed("violations.reason_required",
                               errors=[{"code": "violations.reason_required", "field": "reason"}])
    violation.status = str(ViolationStatus.CONFIRMED if decision is Decision.CONFIRM else ViolationStatus.REJECTED)
    violation.reason = str(reason) if decision is Decision.REJECT and reason else None
    violation.reviewed_by, violation.reviewed_by_name, violation.reviewed_at = actor.ref, actor.name, utcnow()
    session.flush()
    audit.record(session, action=f"violations.{decision}", actor=actor, target_type="violation",
                 target_id=str(violation.id), details={"reason": violation.reason, "device": violation.device_code})
    publish(session, VIOLATION_DECIDED, subject_id=str(violation.id), ctx=Context(actor=actor.ref),
            payload=ViolationDecided(violation_id=violation.id, kind=violation.kind, code=violation.device_code,
                                     status=violation.status, reason=violation.reason))
    return violation


def device_stats(session: Session) -> list[dict[str, Any]]:
    """Per device: violations by status, rejection share and reasons, and whether it needs calibrating."""
    counts = session.execute(select(Violation.device_code, Violation.status, Violation.reason, func.count())
                             .group_by(Violation.device_code, Violation.status, Violation.reason)).all()
    by_device: dict[str, dict[str, Any]] = {}
    for code, status, reason, n in counts:
        entry = by_device.setdefault(code, {"device_code": code, "pending": 0, "confirmed": 0, "rejected": 0,
                                            "reasons": {}})
        entry[status] += n
        if reason:
            entry["reasons"][reason] = entry["reasons"].get(reason, 0) + n
    out = []
    for entry in sorted(by_device.values(), key=lambda e: e["device_code"]):
        decided = entry["confirmed"] + entry["rejected"]
        share = entry["rejected"] / decided if decided else None
        entry["rejected_share"] = share
        entry["needs_calibration"] = bool(share is not None and decided >= NEEDS_CALIBRATION_MIN
                                          and share >= NEEDS_CALIBRATION_SHARE)
        out.append(entry)
    return out


def open_section(session: Session, *, entry: Capture, exit_: Capture, entered_at: datetime, left_at: datetime,
                 limit_kmh: float, tolerance_kmh: float, signer: Signer, evidence_root: Path,
                 actor: audit.Actor) -> Outcome:
    """Average speed of one plate between two points over the road distance of the city model's drive graph.

    The distance is that of the graph's fastest route between the two cameras (on a section of one road, the
    shortest one too); the route's own snapping to the road is part of it. The evidence holds both points' images.
    """
    start = device_service.get(session, entry.device_code)
    end = device_service.get(session, exit_.device_code)
    model = city_service.active_model(session)
    route = city_service.route(session, model=model, start=(start.lon, start.lat), end=(end.lon, end.lat),
                               mode=Mode.DRIVE)
    kmh = measure.section_speed(route.meters, as_utc(entered_at).timestamp(), as_utc(left_at).timestamp())
    if kmh is None:
        return Outcome(None, "bad_times")
    if kmh <= limit_kmh + tolerance_kmh:
        return Outcome(None, "under_limit", kmh)
    table, _, _ = service.fine_table(session)
    rule = fines.rule_for(fines.parse(table), "speed", kmh - limit_kmh)
    method = "section control: road distance of the city model's drive graph over the two passage times"
    facts = {"measurement": {"method": method, "speed_kmh": round(kmh, 2), "distance_m": round(route.meters, 1),
                             "entry": {"device": start.code, "at": as_utc(entered_at).isoformat()},
                             "exit": {"device": end.code, "at": as_utc(left_at).isoformat()},
                             "city_model": model.name, "limit_kmh": limit_kmh, "tolerance_kmh": tolerance_kmh}}
    images = {f"entry-{name}": data for name, data in entry.images.items()}
    images |= {f"exit-{name}": data for name, data in exit_.images.items()}
    capture = Capture(device_code=end.code, times=[left_at], boxes=[], images=images, plate_crop=exit_.plate_crop,
                      plate_text=exit_.plate_text, plate_confidence=exit_.plate_confidence, read_id=exit_.read_id,
                      clip=exit_.clip, time_source=exit_.time_source)
    row = {"measured_kmh": kmh, "limit_kmh": limit_kmh, "method": method}
    violation = _open(session, capture=capture, kind=ViolationKind.SECTION_SPEED, occurred_at=left_at, facts=facts,
                      row=row, rule=rule, signer=signer, evidence_root=evidence_root, actor=actor)
    return Outcome(violation, None, kmh)
