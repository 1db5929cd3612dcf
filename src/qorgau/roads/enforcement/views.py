"""HTTP routes of speed and red-light enforcement: calibration, points, signal phases, fines, the review queue."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse

from qorgau.audit.signing import load_signer
from qorgau.auth.deps import Require
from qorgau.auth.enums import Permission
from qorgau.auth.service import Principal
from qorgau.core.errors import NotFound
from qorgau.core.web import AppRuntime, ClientSource, DbSession, IdPath, PageLimit, ReadSession
from qorgau.roads.enforcement import evidence, review, service
from qorgau.roads.enforcement.config import EnforcementSettings
from qorgau.roads.enforcement.enums import ViolationStatus
from qorgau.roads.enforcement.models import Violation
from qorgau.roads.enforcement.schemas import (
    CalibrationIn,
    CalibrationRead,
    EnforcementPointIn,
    EnforcementPointRead,
    EnforcementStatus,
    EvidenceCheck,
    FineTableRead,
    PhaseChangesIn,
    ViolationDecisionIn,
    ViolationDeviceStats,
    ViolationRead,
)

router = APIRouter(prefix="/api/violations", tags=["violations"])
Calibrator = Annotated[Principal, Require(Permission.ROADS_CALIBRATE)]
Reviewer = Annotated[Principal, Require(Permission.VIOLATIONS_REVIEW)]
# Controllers report like other integrations: with a scoped API token holding devices:write (as plate reads do).
Integration = Annotated[Principal, Require(Permission.DEVICES_WRITE)]
DeviceCode = Annotated[str, Query(min_length=1, max_length=32)]


def evidence_root(runtime: AppRuntime) -> Path:
    return runtime.settings.data_dir / "violations"


def _read(violation: Violation, runtime: AppRuntime) -> ViolationRead:
    folder = evidence_root(runtime) / violation.evidence
    try:
        manifest = json.loads((folder / evidence.MANIFEST).read_text(encoding="utf-8"))
        files = [entry["name"] for entry in manifest.get("files", [])]
    except (OSError, ValueError):
        files = []
    mrp = runtime.settings.part(EnforcementSettings).violation_mrp_kzt
    fine_kzt = round(violation.fine_mrp * mrp) if violation.fine_mrp is not None else None
    return ViolationRead.model_validate(violation).model_copy(update={"files": files, "fine_kzt": fine_kzt})


@router.put("/calibrations/{code}", response_model=CalibrationRead, status_code=201)
def calibrate(code: str, body: CalibrationIn, principal: Calibrator, db: DbSession,
              source: ClientSource) -> CalibrationRead:
    """Store a camera's calibration (marks on its snapshot ↔ metres on the road); its reprojection error back."""
    row = service.calibrate(db, device_code=code, image=[(p[0], p[1]) for p in body.image_points],
                            plane=[(p[0], p[1]) for p in body.plane_points], actor=principal.actor(source))
    return CalibrationRead.model_validate(row).model_copy(update=service.calibration_read(row))


@router.get("/calibrations/{code}", response_model=CalibrationRead,
            responses={404: {"description": "The camera has no calibration: its speed measures nothing."}})
def get_calibration(code: str, _: Calibrator, db: ReadSession) -> CalibrationRead:
    row = service.calibration(db, device_code=code)
    if row is None:
        raise NotFound("violations.uncalibrated", params={"code": code})
    return CalibrationRead.model_validate(row).model_copy(update=service.calibration_read(row))


@router.put("/points/{code}", response_model=EnforcementPointRead)
def set_point(code: str, body: EnforcementPointIn, principal: Calibrator, db: DbSession,
              source: ClientSource) -> EnforcementPointRead:
    """Set a camera's speed limit, stop line, red-lamp ROI and signal controller."""
    row = service.set_point(db, device_code=code, limit_kmh=body.limit_kmh,
                            stop_line=[(p[0], p[1]) for p in body.stop_line] if body.stop_line else None,
                            lamp_roi=body.lamp_roi, controller=body.controller, actor=principal.actor(source))
    return EnforcementPointRead.model_validate(row)


@router.get("/points/{code}/status", response_model=EnforcementStatus)
def point_status(code: str, _: Calibrator, db: ReadSession, runtime: AppRuntime) -> EnforcementStatus:
    """What the camera can measure now and what it lacks (an uncalibrated speed point measures nothing)."""
    missing = service.readiness(db, device_code=code)
    calibration = service.calibration(db, device_code=code)
    default = runtime.settings.part(EnforcementSettings).speed_default_limit_kmh
    limit = service.limit_of(db, device_code=code, default_kmh=default)
    return EnforcementStatus(device_code=code.upper(), speed_ready="uncalibrated" not in missing,
                             red_light_ready=not {"no_stop_line", "no_signal_source"} & set(missing), missing=missing,
                             limit_kmh=limit.kmh, limit_source=str(limit.source), road=limit.road,
                             calibrated_at=calibration.created_at if calibration else None,
                             calibration_rms_m=calibration.rms_m if calibration else None)


@router.post("/signals/{controller}/phases", status_code=202)
def report_phases(controller: str, body: PhaseChangesIn, _: Integration, db: DbSession) -> dict[str, int]:
    """An intersection controller's phase changes with its own timestamps (see ADR 0042 for the MQTT shape)."""
    return {"stored": service.record_phases(db, controller=controller,
                                            changes=[(c.phase, c.at) for c in body.changes])}


@router.get("/fines", response_model=FineTableRead)
def get_fines(_: Reviewer, db: ReadSession, runtime: AppRuntime) -> FineTableRead:
    """The articles and fines in force (shipped until an administrator saves a checked version)."""
    table, verified, row = service.fine_table(db)
    return FineTableRead(table=table, verified=verified, version=row.id if row else None,
                         mrp_kzt=runtime.settings.part(EnforcementSettings).violation_mrp_kzt)


@router.put("/fines", response_model=FineTableRead)
def save_fines(body: dict[str, object], principal: Calibrator, db: DbSession, runtime: AppRuntime,
               source: ClientSource) -> FineTableRead:
    row = service.save_fine_table(db, table=dict(body), actor=principal.actor(source))
    return FineTableRead(table=row.table, verified=True, version=row.id,
                         mrp_kzt=runtime.settings.part(EnforcementSettings).violation_mrp_kzt)


@router.get("", response_model=list[ViolationRead])
def list_violations(_: Reviewer, db: ReadSession, runtime: AppRuntime,
                    status: ViolationStatus = ViolationStatus.PENDING, after_id: int | None = None,
                    limit: PageLimit = 50) -> list[ViolationRead]:
    """The review queue (pending, oldest first) or the decided ones."""
    return [_read(v, runtime) for v in review.queue(db, status=status, after_id=after_id, limit=limit)]


@router.get("/stats/devices", response_model=list[ViolationDeviceStats])
def device_stats(_: Reviewer, db: ReadSession) -> list[ViolationDeviceStats]:
    """Rejections per device: one whose violations are often rejected needs calibrating."""
    return [ViolationDeviceStats(**entry) for entry in review.device_stats(db)]


@router.get("/{violation_id}", response_model=ViolationRead)
def get_violation(violation_id: IdPath, _: Reviewer, db: ReadSession, runtime: AppRuntime) -> ViolationRead:
    return _read(review.get(db, violation_id), runtime)


@router.get("/{violation_id}/evidence/{name}", response_class=FileResponse)
def evidence_file(violation_id: IdPath, name: str, _: Reviewer, db: ReadSession, runtime: AppRuntime) -> FileResponse:
    """One file of the evidence package (images, plate crop, manifest.json)."""
    folder = evidence_root(runtime) / review.get(db, violation_id).evidence
    files = {p.name: p for p in folder.iterdir()} if folder.is_dir() else {}
    if name not in files:  # only names present in the folder: no path from the request reaches the disk
        raise NotFound("violations.evidence_not_found", params={"name": name})
    return FileResponse(files[name])


@router.get("/{violation_id}/verify", response_model=EvidenceCheck)
def verify_evidence(violation_id: IdPath, _: Reviewer, db: ReadSession, runtime: AppRuntime) -> EvidenceCheck:
    """Check the package's files against its signed manifest, with this installation's key."""
    folder = evidence_root(runtime) / review.get(db, violation_id).evidence
    problems = evidence.verify(folder, load_signer(runtime.settings).key_id)
    return EvidenceCheck(ok=not problems, problems=problems)


@router.post("/{violation_id}/decision", response_model=ViolationRead)
def decide(violation_id: IdPath, body: ViolationDecisionIn, principal: Reviewer, db: DbSession,
           runtime: AppRuntime, source: ClientSource) -> ViolationRead:
    """Confirm or reject (with a reason) a pending violation; audited. Nothing is issued without this."""
    violation = review.decide(db, violation_id=violation_id, decision=body.decision, reason=body.reason,
                              actor=principal.actor(source))
    return _read(violation, runtime)
