"""Tables of speed and red-light enforcement: calibrations (a dated history), speed points and stop lines,
signal phases as reported, versions of the fines table, and violations with their review."""

# A violation keeps its own copy of the plate text (and its crop in the evidence) and only an optional read_id to
# the plate reads table: reads are kept 30 days, a violation as long as its case.

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from qorgau.core.db import Base, UTCDateTime


class CameraCalibration(Base):
    """Image points ↔ road-plane metres of one camera and the homography fitted on them; the latest applies."""

    __tablename__ = "camera_calibrations"
    __table_args__ = (Index("ix_camera_calibrations_device_id", "device_code", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    device_code: Mapped[str] = mapped_column(String(32))
    image_points: Mapped[list[list[float]]] = mapped_column(JSON)
    plane_points: Mapped[list[list[float]]] = mapped_column(JSON)
    matrix: Mapped[list[list[float]]] = mapped_column(JSON)  # image pixels -> plane metres, h33 = 1
    rms_m: Mapped[float] = mapped_column(Float)
    max_m: Mapped[float] = mapped_column(Float)
    created_by: Mapped[str] = mapped_column(String(64))
    created_by_name: Mapped[str | None] = mapped_column(String(128), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class EnforcementPoint(Base):
    """What a camera enforces: its limit (speed), stop line and red-lamp ROI (red light), its signal controller."""

    __tablename__ = "enforcement_points"

    device_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    limit_kmh: Mapped[float | None] = mapped_column(Float, nullable=True)  # none: the road's maxspeed or default
    stop_line: Mapped[list[list[float]] | None] = mapped_column(JSON, nullable=True)  # two image points
    lamp_roi: Mapped[list[int] | None] = mapped_column(JSON, nullable=True)  # x, y, width, height in pixels
    controller: Mapped[str | None] = mapped_column(String(64), nullable=True)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SignalPhaseChange(Base):
    """A phase change of an intersection's controller at the controller's own time."""

    __tablename__ = "signal_phase_changes"
    __table_args__ = (Index("ix_signal_phase_changes_controller_at", "controller", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    controller: Mapped[str] = mapped_column(String(64))
    phase: Mapped[str] = mapped_column(String(8))  # enums.SignalPhase
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class FineTableVersion(Base):
    """One saved version of the articles and fines table (the shipped one applies until the first save)."""

    __tablename__ = "violation_fine_tables"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    table: Mapped[dict[str, Any]] = mapped_column(JSON)
    verified: Mapped[bool] = mapped_column(Boolean)  # saved by an administrator who checked it against the Code
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Violation(Base):
    """A candidate violation with its evidence; nothing is issued until an officer confirms it."""

    __tablename__ = "violations"
    __table_args__ = (Index("ix_violations_status_id", "status", "id"),
                      Index("ix_violations_device_code", "device_code"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))  # enums.ViolationKind
    device_code: Mapped[str] = mapped_column(String(32))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    time_source: Mapped[str] = mapped_column(String(64))  # how the camera's clock is synchronised
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    plate_text: Mapped[str | None] = mapped_column(String(16), nullable=True)
    plate_confidence: Mapped[float | None] = mapped_column(Float, nullable=True)
    read_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # plate reads table, while it is kept
    measured_kmh: Mapped[float | None] = mapped_column(Float, nullable=True)
    sigma_kmh: Mapped[float | None] = mapped_column(Float, nullable=True)
    limit_kmh: Mapped[float | None] = mapped_column(Float, nullable=True)
    phase: Mapped[str | None] = mapped_column(String(8), nullable=True)
    phase_source: Mapped[str | None] = mapped_column(String(16), nullable=True)
    red_for_s: Mapped[float | None] = mapped_column(Float, nullable=True)  # how long the signal had been red
    method: Mapped[str] = mapped_column(String(200))
    calibration_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    calibrated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    article: Mapped[str | None] = mapped_column(String(16), nullable=True)
    part: Mapped[str | None] = mapped_column(String(8), nullable=True)
    fine_mrp: Mapped[float | None] = mapped_column(Float, nullable=True)
    evidence: Mapped[str] = mapped_column(String(64))  # folder name under <data_dir>/violations
    # The video export of the track's recording (its own signed package), requested once the recording is indexed.
    export_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    manifest_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(12))  # enums.ViolationStatus
    reason: Mapped[str | None] = mapped_column(String(32), nullable=True)  # enums.RejectReason
    reviewed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reviewed_by_name: Mapped[str | None] = mapped_column(String(128), nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SectionPassage(Base):
    """A plate's passage at a speed point, kept until a later passage closes the section or it ages out, so a
    restart loses no pending section (its pictures travel into the section's evidence)."""

    __tablename__ = "roads_section_passages"
    __table_args__ = (Index("ix_roads_section_passages_plate", "plate", "passed_at"),
                      Index("ix_roads_section_passages_passed_at", "passed_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plate: Mapped[str] = mapped_column(String(16))  # a complete read (no `?`): a partial one opens no section
    device_code: Mapped[str] = mapped_column(String(32))
    passed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    limit_kmh: Mapped[float] = mapped_column(Float)  # the point's limit in force at the passage
    images: Mapped[dict[str, str]] = mapped_column(JSON)  # name -> base64 JPEG
    plate_crop: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    plate_confidence: Mapped[float | None] = mapped_column(Float, nullable=True)
    read_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    clip: Mapped[dict[str, Any]] = mapped_column(JSON)
    time_source: Mapped[str] = mapped_column(String(64))
    closed_by: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the violation or passage that used it
    used: Mapped[bool] = mapped_column(Boolean, default=False)
