"""Request and response shapes of the violations API (prefixed names: no clash with other domains' schemas)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from qorgau.roads.enforcement.enums import Decision, RejectReason, SignalPhase

PixelPoint = Annotated[list[float], Field(min_length=2, max_length=2)]


class CalibrationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    image_points: list[PixelPoint] = Field(min_length=4, max_length=64, description="Pixels on the snapshot.")
    plane_points: list[PixelPoint] = Field(min_length=4, max_length=64,
                                           description="The same marks on the road plane, metres.")


class CalibrationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    device_code: str
    image_points: list[list[float]]
    plane_points: list[list[float]]
    rms_m: float = Field(description="Reprojection error of the marks (metres, RMS); 0 with exactly 4 marks.")
    max_m: float
    rms_px: float = Field(default=0.0, description="The marks' picture residual (pixels, RMS): what the clicks "
                                                  "got wrong; 0 with exactly 4 marks (nothing to check).")
    residuals_px: list[float] = Field(default_factory=list, description="Each mark's picture residual (pixels), "
                                                                        "in the order the marks were given.")
    max_rms_px: float = Field(default=0.0, description="The most honest clicks show with this many marks; a "
                                                       "surveyed set above it is refused.")
    max_mark_px: float = Field(default=0.0, description="The most honest clicks leave on any one mark; a surveyed "
                                                        "set with a mark above it is refused.")
    scale_sigma_pct: float | None = Field(default=None, description="1-sigma scale error (%) the clicks leave "
                                                                    "between the nearest and farthest marks: a "
                                                                    "speed's calibration share.")
    created_by_name: str | None
    created_at: datetime


class EnforcementPointIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit_kmh: float | None = Field(default=None, ge=5, le=150)
    stop_line: list[PixelPoint] | None = Field(default=None, min_length=2, max_length=2)
    lamp_roi: list[int] | None = Field(default=None, min_length=4, max_length=4)
    controller: str | None = Field(default=None, min_length=1, max_length=64)


class EnforcementPointRead(EnforcementPointIn):
    model_config = ConfigDict(from_attributes=True)

    device_code: str
    updated_at: datetime


class PhaseChangeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phase: SignalPhase
    at: datetime = Field(description="The controller's own time of the change (aware, ISO 8601).")


class PhaseChangesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    changes: list[PhaseChangeIn] = Field(min_length=1, max_length=1000)


class FineTableRead(BaseModel):
    table: dict[str, Any]
    verified: bool
    version: int | None
    mrp_kzt: int


class ViolationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    device_code: str
    occurred_at: datetime
    time_source: str
    lon: float
    lat: float
    plate_text: str | None
    plate_confidence: float | None
    read_id: int | None
    export_id: str | None = Field(default=None, description="The video export of the track's recording, once "
                                                              "requested (its own signed package).")
    measured_kmh: float | None
    sigma_kmh: float | None
    limit_kmh: float | None
    phase: str | None
    red_for_s: float | None
    method: str
    calibrated_at: datetime | None
    article: str | None
    part: str | None
    fine_mrp: float | None
    fine_kzt: int | None = None
    files: list[str] = []
    manifest_sha256: str
    status: str
    reason: str | None
    reviewed_by_name: str | None
    reviewed_at: datetime | None


class ViolationDecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Decision
    reason: RejectReason | None = None


class ViolationDeviceStats(BaseModel):
    device_code: str
    pending: int
    confirmed: int
    rejected: int
    rejected_share: float | None
    needs_calibration: bool
    reasons: dict[str, int]


class EvidenceCheck(BaseModel):
    ok: bool
    problems: list[str]


class EnforcementStatus(BaseModel):
    """Whether a camera can measure, and why not: a speed point without calibration measures nothing."""

    device_code: str
    speed_ready: bool
    red_light_ready: bool
    missing: list[str] = Field(description="uncalibrated, no_stop_line, no_signal_source")
    limit_kmh: float
    limit_source: str = Field(description="point (set for the camera), road (the city model's maxspeed of the "
                                          "nearest road) or default (the urban limit setting)")
    road: str | None = Field(default=None, description="The road the limit was read from (its name or class).")
    calibrated_at: datetime | None
    calibration_rms_m: float | None
