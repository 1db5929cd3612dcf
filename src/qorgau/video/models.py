"""Tables of the video domain: camera groups and per-camera video settings, live status, the recording index,
protections, event triggers, volumes, exports and video walls."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from qorgau.core.db import Base, UTCDateTime


class CameraGroup(Base):
    """Cameras that share a retention and a view policy, e.g. `school_interior` only for named roles."""

    __tablename__ = "video_groups"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_kk: Mapped[str] = mapped_column(String(200))
    name_ru: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    retention_days: Mapped[int | None] = mapped_column(Integer)  # null: the `video_retention_days` setting
    # Roles that may see these cameras at all; null: every role with video:view.
    roles: Mapped[list[str] | None] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class VideoCamera(Base):
    """The video side of a registry camera; a camera without a row uses its purpose's group and the defaults."""

    __tablename__ = "video_cameras"

    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"), primary_key=True)
    group_code: Mapped[str | None] = mapped_column(ForeignKey("video_groups.code", ondelete="SET NULL"), index=True)
    recording_mode: Mapped[str | None] = mapped_column(String(16))  # RecordingMode; null: the setting
    volume: Mapped[str | None] = mapped_column(String(32))  # null: the volume with the most room
    # Polygons in frame coordinates 0..1, [[[x, y], ...], ...]: blacked out in live view, playback and exports.
    privacy_masks: Mapped[list[list[list[float]]]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CameraStatus(Base):
    """What the owning worker last reported about one stream of one camera (written every few seconds)."""

    __tablename__ = "video_camera_status"

    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"), primary_key=True)
    stream: Mapped[str] = mapped_column(String(8), primary_key=True)  # StreamKind
    state: Mapped[str] = mapped_column(String(16))  # CameraState
    worker: Mapped[int] = mapped_column(Integer)
    codec: Mapped[str | None] = mapped_column(String(16))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    fps_in: Mapped[float | None] = mapped_column(Float)
    bitrate_kbps: Mapped[float | None] = mapped_column(Float)
    reconnects: Mapped[int] = mapped_column(Integer, default=0)
    dropped_packets: Mapped[int] = mapped_column(BigInteger, default=0)
    last_frame_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    viewers: Mapped[int] = mapped_column(Integer, default=0)
    recording: Mapped[bool] = mapped_column(Boolean, default=False)
    error: Mapped[str | None] = mapped_column(String(300))  # never contains credentials
    state_since: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Segment(Base):
    """One recorded file: a camera's stream from `start_at` to `end_at`, on a volume, at a path relative to it."""

    __tablename__ = "video_segments"
    __table_args__ = (
        Index("ix_video_segments_device_start", "device_id", "start_at"),
        Index("ix_video_segments_volume_start", "volume", "start_at"),
        UniqueConstraint("volume", "path", name="uq_video_segments_volume_path"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                    autoincrement=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    stream: Mapped[str] = mapped_column(String(8))  # StreamKind
    volume: Mapped[str] = mapped_column(String(32))
    path: Mapped[str] = mapped_column(String(500))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    bytes: Mapped[int] = mapped_column(BigInteger)
    frames: Mapped[int] = mapped_column(Integer)
    codec: Mapped[str] = mapped_column(String(16))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Protection(Base):
    """A time range of a camera that retention must keep (an incident, an export, a manual hold) until released."""

    __tablename__ = "video_protections"
    __table_args__ = (Index("ix_video_protections_device_range", "device_id", "start_at", "end_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(16))  # ProtectionReason
    ref: Mapped[str] = mapped_column(String(64), index=True)  # incident number, export id…
    created_by: Mapped[str] = mapped_column(String(120))  # actor ref, e.g. user:3
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


class RecordTrigger(Base):
    """Record a camera in `events` mode from `start_at` (pre-roll included) until `end_at` (post-roll included)."""

    __tablename__ = "video_record_triggers"
    __table_args__ = (Index("ix_video_record_triggers_device_end", "device_id", "end_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cause: Mapped[str] = mapped_column(String(64))  # e.g. alarm:123
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class VolumeStatus(Base):
    """The last check of a storage volume, for the desk, `qorgau video storage` and storage alarms."""

    __tablename__ = "video_volumes"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    path: Mapped[str] = mapped_column(String(500))
    state: Mapped[str] = mapped_column(String(16))  # VolumeState
    quota_bytes: Mapped[int] = mapped_column(BigInteger)
    used_bytes: Mapped[int] = mapped_column(BigInteger)
    free_bytes: Mapped[int | None] = mapped_column(BigInteger)  # free on the file system; null when unreadable
    error: Mapped[str | None] = mapped_column(String(300))
    state_since: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Export(Base):
    """An evidence export: MP4 files of one or more cameras over a range, with a signed manifest."""

    __tablename__ = "video_exports"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # uuid4, also the folder name
    state: Mapped[str] = mapped_column(String(16), index=True)  # ExportState
    cameras: Mapped[list[str]] = mapped_column(JSON)  # device codes
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(500))
    incident_id: Mapped[int | None] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(120))  # actor ref
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    bytes: Mapped[int | None] = mapped_column(BigInteger)
    manifest_sha256: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(String(300))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Wall(Base):
    """A video wall layout: an operator's own, or the one shared wall of the situation center (owner null)."""

    __tablename__ = "video_walls"
    __table_args__ = (UniqueConstraint("owner_id", "name", name="uq_video_walls_owner_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    layout: Mapped[str] = mapped_column(String(8))  # 1, 2x2, 3x3, 4x4
    # One entry per tile: {"camera": "CAM-0001" | null, "follow_alarms": bool}
    tiles: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    updated_by: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PictureReference(Base):
    """A camera's reference view for the picture-health checks, learned by its worker (ADR 0029); an admin's
    reset deletes the row and the worker learns a new one."""

    __tablename__ = "video_picture_references"

    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"), primary_key=True)
    image: Mapped[bytes] = mapped_column(LargeBinary)  # PNG, grey, 320 px wide
    sharpness: Mapped[dict[str, float]] = mapped_column(JSON)  # per mode: {"day": ..., "night": ...}
    blur: Mapped[dict[str, float]] = mapped_column(JSON)  # per mode
    learned_at: Mapped[datetime] = mapped_column(UTCDateTime)
