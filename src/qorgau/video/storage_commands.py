"""`qorgau video storage`: volumes, use and quota, the oldest recording per camera, and how many days each camera
group can be kept at the bitrates measured now (plain arithmetic, printed plainly)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated

import typer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qorgau.core.time import utcnow
from qorgau.devices.enums import DeviceKind
from qorgau.devices.models import Device
from qorgau.video.access import DEFAULT_GROUP
from qorgau.video.config import VideoSettings, VolumeSpec
from qorgau.video.enums import StreamKind
from qorgau.video.models import CameraGroup, CameraStatus, Segment, VideoCamera, VolumeStatus
from qorgau.video.volumes import quota_bytes

DAY_S = 86_400
MEASURE = timedelta(hours=24)  # bitrates measured from the segments of the last day


@dataclass(frozen=True)
class CameraUse:
    code: str
    group: str
    oldest: datetime | None
    stored_bytes: int
    bitrate_bps: float  # measured (recent segments, else the worker's live figure), 0 when unknown


@dataclass(frozen=True)
class GroupPlan:
    group: str
    cameras: int
    bitrate_bps: float  # all the group's cameras together
    retention_days: int

    @property
    def bytes_per_day(self) -> float:
        return self.bitrate_bps / 8 * DAY_S

    @property
    def needed_bytes(self) -> float:
        return self.bytes_per_day * self.retention_days


def need_bytes(cameras: int, mbps: float, days: float) -> float:
    """Bytes ``cameras`` streams of ``mbps`` fill in ``days``."""
    return cameras * mbps * 1e6 / 8 * DAY_S * days


def cameras_use(session: Session, *, now: datetime) -> list[CameraUse]:
    """Each camera's oldest recording, stored bytes and bitrate."""
    since = now - MEASURE
    stored = {device_id: (oldest, total) for device_id, oldest, total in session.execute(
        select(Segment.device_id, func.min(Segment.start_at), func.sum(Segment.bytes)).group_by(Segment.device_id))}
    recent: dict[int, float] = {}
    for device_id, size, starts, ends in session.execute(
            select(Segment.device_id, func.sum(Segment.bytes), func.min(Segment.start_at), func.max(Segment.end_at))
            .where(Segment.end_at > since).group_by(Segment.device_id)):
        seconds = (ends - starts).total_seconds() if starts is not None and ends is not None else 0
        if seconds > 0:
            recent[device_id] = float(size or 0) * 8 / seconds
    live = {device_id: (kbps or 0.0) * 1000 for device_id, kbps in session.execute(
        select(CameraStatus.device_id, CameraStatus.bitrate_kbps).where(
            CameraStatus.stream == StreamKind.MAIN.value, CameraStatus.bitrate_kbps.is_not(None)))}
    rows = session.execute(
        select(Device.id, Device.code, Device.purpose, VideoCamera.group_code)
        .join(VideoCamera, VideoCamera.device_id == Device.id, isouter=True)
        .where(Device.kind == DeviceKind.CAMERA.value).order_by(Device.code))
    found = []
    for device_id, code, purpose, own in rows:
        oldest, total = stored.get(device_id, (None, 0))
        found.append(CameraUse(code=code, group=own or purpose or DEFAULT_GROUP, oldest=oldest,
                               stored_bytes=int(total or 0), bitrate_bps=recent.get(device_id) or
                               live.get(device_id) or 0.0))
    return found


def group_plans(session: Session, cameras: Sequence[CameraUse], *, default_days: int) -> list[GroupPlan]:
    days = {code: d for code, d in session.execute(select(CameraGroup.code, CameraGroup.retention_days))}
    plans: dict[str, GroupPlan] = {}
    for cam in cameras:
        plan = plans.get(cam.group) or GroupPlan(cam.group, 0, 0.0, days.get(cam.group) or default_days)
        plans[cam.group] = GroupPlan(plan.group, plan.cameras + 1, plan.bitrate_bps + cam.bitrate_bps,
                                     plan.retention_days)
    return sorted(plans.values(), key=lambda p: p.group)


def _size(value: float | None) -> str:
    if value is None:
        return "?"
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if abs(value) >= scale:
            return f"{value / scale:.1f} {unit}"
    return f"{value:.0f} B"


def report(session: Session, *, specs: Sequence[VolumeSpec], default_days: int, now: datetime) -> list[str]:
    """The storage report as lines of text."""
    lines = ["Volumes:"]
    states = {row.name: row for row in session.scalars(select(VolumeStatus))}
    total_quota = 0
    for spec in specs:
        row = states.get(spec.name)
        total_quota += quota_bytes(spec)
        used = row.used_bytes if row is not None else 0
        lines.append(f"  {spec.name:<12} {row.state if row is not None else 'unchecked':<9} {spec.path}  used "
                     f"{_size(used)} of {_size(quota_bytes(spec))} quota, "
                     f"{_size(row.free_bytes if row is not None else None)} free on the disk")
    cameras = cameras_use(session, now=now)
    recorded = [cam for cam in cameras if cam.oldest is not None]
    lines.append("")
    lines.append(f"Cameras with recordings: {len(recorded)} of {len(cameras)}")
    for cam in recorded:
        lines.append(f"  {cam.code:<12} oldest {cam.oldest:%Y-%m-%d %H:%M} UTC, {_size(cam.stored_bytes)}, "
                     f"{cam.bitrate_bps / 1e6:.2f} Mbps")
    lines.append("")
    lines.append("Camera groups at the bitrates measured now:")
    per_day = 0.0
    for plan in group_plans(session, cameras, default_days=default_days):
        per_day += plan.bytes_per_day
        mbps = plan.bitrate_bps / 1e6
        lines.append(f"  {plan.group:<18} {plan.cameras} cameras, {mbps:.1f} Mbps together: "
                     f"{_size(plan.bytes_per_day)} a day, {_size(plan.needed_bytes)} for its "
                     f"{plan.retention_days} days of retention")
    if per_day > 0:
        lines.append(f"All recorded cameras fill {_size(per_day)} a day: the volumes' {_size(total_quota)} of "
                     f"quota hold {total_quota / per_day:.1f} days.")
    else:
        lines.append("No bitrate measured yet (no recent segments, no running worker).")
    count = len(cameras) or 469
    lines.append(f"For comparison: {count} cameras at 4 Mbps need {_size(need_bytes(count, 4, default_days))} for "
                 f"{default_days} days.")
    return lines


def storage_command(
    days: Annotated[int | None, typer.Option(help="Retention for the comparison line (default: the setting).")]
    = None,
) -> None:
    """Storage volumes, use and quota, the oldest recording per camera, and the days each group can be kept."""
    from qorgau.core.commands import load_command_settings
    from qorgau.core.db import Database

    video = load_command_settings().part(VideoSettings)
    db = Database(video.effective_database_url)
    try:
        with db.reading() as session:
            lines = report(session, specs=video.volumes(), default_days=days or video.video_retention_days,
                           now=utcnow())
    finally:
        db.dispose()
    typer.echo("\n".join(lines))


def register(group: typer.Typer) -> None:
    """Add `storage` to the `qorgau video` group."""
    group.command("storage")(storage_command)
