"""Enforcement set-up: camera calibrations, what each camera enforces, signal phases and the fines table.
Functions take keyword-only arguments and never commit."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qorgau.audit import service as audit
from qorgau.city import queries as city_queries
from qorgau.core.errors import QorgauError, ValidationFailed
from qorgau.core.time import as_utc, utcnow
from qorgau.devices import service as device_service
from qorgau.roads.enforcement import calibration as calibration_fit
from qorgau.roads.enforcement import fines, measure
from qorgau.roads.enforcement.enums import LimitSource, SignalPhase
from qorgau.roads.enforcement.models import CameraCalibration, EnforcementPoint, FineTableVersion, SignalPhaseChange

Point = tuple[float, float]


def calibrate(session: Session, *, device_code: str, image: Sequence[Point], plane: Sequence[Point],
              actor: audit.Actor, surveyed: bool = True) -> CameraCalibration:
    """Fit and store a new calibration of a camera (the previous ones stay as its history). Surveyed marks whose
    picture residual is more than clicks explain are refused with that residual and the limit; ``surveyed=False``
    (the demo's assumed marks) stores them, and their residual widens every speed's uncertainty."""
    device = device_service.get(session, device_code)
    fitted = measure.fit_homography(image, plane, check_residual=surveyed)
    if isinstance(fitted, measure.CalibrationProblem):
        params: dict[str, Any] = {}
        if fitted is measure.CalibrationProblem.RESIDUAL_TOO_LARGE:
            loose = measure.fit_homography(image, plane, check_residual=False)
            if isinstance(loose, measure.Homography):  # always: only the residual test failed
                worst = max(range(len(loose.residuals_px)), key=lambda i: loose.residuals_px[i])
                params = {"rms_px": round(loose.rms_px, 2), "mark": worst + 1, "mark_px": loose.residuals_px[worst],
                          "residuals_px": list(loose.residuals_px),
                          "max_rms_px": round(calibration_fit.max_rms_px(len(image)), 2),
                          "max_mark_px": round(calibration_fit.max_mark_px(len(image)), 2)}
        # The residuals travel in the problem body: the officer sees which mark and by how much.
        raise ValidationFailed("violations.calibration.invalid", extra={"residual": params} if params else None,
                               errors=[{"code": f"violations.calibration.{fitted}", "field": "points"}])
    row = CameraCalibration(device_code=device.code, image_points=[list(p) for p in image],
                            plane_points=[list(p) for p in plane], matrix=[list(r) for r in fitted.matrix],
                            rms_m=fitted.rms_m, max_m=fitted.max_m, created_by=actor.ref,
                            created_by_name=actor.name, created_at=utcnow())
    session.add(row)
    session.flush()
    audit.record(session, action="violations.calibrate", actor=actor, target_type="device", target_id=device.code,
                 details={"calibration_id": row.id, "pairs": len(image), "rms_m": round(fitted.rms_m, 4),
                          "rms_px": round(fitted.rms_px, 3), "surveyed": surveyed})
    return row


def calibration(session: Session, *, device_code: str) -> CameraCalibration | None:
    """The calibration in force for a camera: its latest."""
    return session.scalars(select(CameraCalibration).where(CameraCalibration.device_code == device_code.upper())
                           .order_by(CameraCalibration.id.desc()).limit(1)).first()


def homography_of(row: CameraCalibration | None) -> measure.Homography | None:
    """A stored calibration with its uncertainty recomputed from its marks (older rows read the same way)."""
    if row is None:
        return None
    return calibration_fit.stored(row.matrix, row.rms_m, row.max_m, row.image_points, row.plane_points)


def calibration_read(row: CameraCalibration) -> dict[str, Any]:
    """What the officer sees of a calibration beside its stored columns: each mark's picture residual, their RMS,
    the most an honest set of this many marks shows, and the scale error it leaves over its marks' extent."""
    found = calibration_fit.stored(row.matrix, row.rms_m, row.max_m, row.image_points, row.plane_points)
    plane = [(float(p[0]), float(p[1])) for p in row.plane_points]
    near = min(plane, key=lambda p: p[1])
    far = max(plane, key=lambda p: p[1])
    picture = {tuple(p): (float(i[0]), float(i[1])) for p, i in zip(plane, row.image_points, strict=True)}
    sigma = found.length_sigma(picture[near], picture[far])
    span = math.dist(near, far)
    return {"rms_px": round(found.rms_px, 3), "residuals_px": list(found.residuals_px),
            "max_rms_px": round(min(calibration_fit.max_rms_px(len(plane)), 1e6), 3),
            "max_mark_px": round(min(calibration_fit.max_mark_px(len(plane)), 1e6), 3),
            "scale_sigma_pct": round(sigma / span * 100.0, 3) if sigma is not None and span > 0 else None}


def set_point(session: Session, *, device_code: str, limit_kmh: float | None, stop_line: list[Point] | None,
              lamp_roi: list[int] | None, controller: str | None, actor: audit.Actor) -> EnforcementPoint:
    """Set what a camera enforces (replacing what was set)."""
    device = device_service.get(session, device_code)
    point = session.get(EnforcementPoint, device.code) or EnforcementPoint(device_code=device.code)
    point.limit_kmh, point.controller = limit_kmh, controller
    point.stop_line = [list(p) for p in stop_line] if stop_line else None
    point.lamp_roi = list(lamp_roi) if lamp_roi else None
    point.updated_by, point.updated_at = actor.ref, utcnow()
    session.add(point)
    session.flush()
    audit.record(session, action="violations.point_set", actor=actor, target_type="device", target_id=device.code,
                 details={"limit_kmh": limit_kmh, "stop_line": point.stop_line, "lamp_roi": point.lamp_roi,
                          "controller": controller})
    return point


def point(session: Session, *, device_code: str) -> EnforcementPoint | None:
    return session.get(EnforcementPoint, device_code.upper())


@dataclass(frozen=True, slots=True)
class Limit:
    """The limit a camera enforces and where it came from."""

    kmh: float
    source: LimitSource
    road: str | None = None  # the road's name or class when the limit is the road's maxspeed


def limit_of(session: Session, *, device_code: str, default_kmh: float) -> Limit:
    """The camera's own limit; else the OSM maxspeed of the nearest drivable road of the active city model; else
    the default (the urban limit of the Kazakh traffic rules)."""
    found = point(session, device_code=device_code)
    if found is not None and found.limit_kmh is not None:
        return Limit(found.limit_kmh, LimitSource.POINT)
    device = device_service.get(session, device_code)
    try:
        model = city_queries.active_model(session)
    except QorgauError:  # no city model: nothing to read a road from
        return Limit(default_kmh, LimitSource.DEFAULT)
    road = city_queries.road_at(session, model.id, device.lon, device.lat)
    if road is not None and road.maxspeed_kmh is not None:
        return Limit(road.maxspeed_kmh, LimitSource.ROAD, road.name or road.highway)
    return Limit(default_kmh, LimitSource.DEFAULT)


def limit_for(session: Session, *, device_code: str, default_kmh: float) -> float:
    """The speed limit a camera enforces (``limit_of`` without its source)."""
    return limit_of(session, device_code=device_code, default_kmh=default_kmh).kmh


def readiness(session: Session, *, device_code: str) -> list[str]:
    """What a camera lacks to measure: empty when it is ready (a speed point needs a calibration)."""
    device = device_service.get(session, device_code)
    missing = [] if calibration(session, device_code=device.code) is not None else ["uncalibrated"]
    found = point(session, device_code=device.code)
    if found is None or not found.stop_line:
        missing.append("no_stop_line")
    elif not (found.controller or found.lamp_roi):
        missing.append("no_signal_source")
    return missing


def record_phases(session: Session, *, controller: str, changes: Sequence[tuple[SignalPhase, datetime]]) -> int:
    """Store a controller's phase changes (its own timestamps); not audited one by one: they are telemetry."""
    received = utcnow()
    session.add_all(SignalPhaseChange(controller=controller, phase=str(phase), at=as_utc(at), received_at=received)
                    for phase, at in changes)
    session.flush()
    return len(changes)


def phase_at(session: Session, *, controller: str, at: datetime) -> tuple[SignalPhase, datetime] | None:
    """The controller's phase at a moment and since when; None when nothing was reported before it."""
    row = session.scalars(select(SignalPhaseChange).where(SignalPhaseChange.controller == controller,
                                                          SignalPhaseChange.at <= as_utc(at))
                          .order_by(SignalPhaseChange.at.desc(), SignalPhaseChange.id.desc()).limit(1)).first()
    return None if row is None else (SignalPhase(row.phase), as_utc(row.at))


def fine_table(session: Session) -> tuple[dict[str, Any], bool, FineTableVersion | None]:
    """The table in force (the latest saved one, else the shipped one), whether it is verified, its version."""
    row = session.scalars(select(FineTableVersion).order_by(FineTableVersion.id.desc()).limit(1)).first()
    if row is None:
        shipped = fines.shipped()
        return shipped, bool(shipped.get("verified")), None
    return row.table, row.verified, row


def save_fine_table(session: Session, *, table: dict[str, Any], actor: audit.Actor) -> FineTableVersion:
    """Save a checked table as the new version in force (whole or not at all: every bad rule is listed)."""
    fines.parse(table)
    row = FineTableVersion(table={**table, "verified": True}, verified=True, created_by=actor.ref,
                           created_at=utcnow())
    session.add(row)
    session.flush()
    audit.record(session, action="violations.fines_saved", actor=actor, target_type="fine_table",
                 target_id=str(row.id), details={"rules": len(table.get("rules") or [])})
    return row
