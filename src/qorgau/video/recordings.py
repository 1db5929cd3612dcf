"""Playback services: a camera's timeline with the alarms and incidents near it, ranges checked, playback audited,
segment files served as recorded or transcoded (H.265, privacy masks)."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qorgau.alarms.models import Alarm
from qorgau.audit import service as audit
from qorgau.core.errors import NotFound, QorgauError
from qorgau.devices.models import Device
from qorgau.incidents.models import Incident
from qorgau.video import segments
from qorgau.video.models import Segment, VideoCamera

MAX_RANGE = timedelta(days=7)
NEAR_M = 150.0  # alarms and incidents this close to a camera show on its timeline
ACTION_PLAYBACK = "video.playback"


def check_range(start: datetime, end: datetime) -> None:
    if end <= start or end - start > MAX_RANGE:
        raise QorgauError("video.bad_range", status=422, params={"days": MAX_RANGE.days})


def _box(lon: float, lat: float, metres: float) -> tuple[float, float, float, float]:
    dlat = metres / 111_320.0
    dlon = metres / (111_320.0 * max(0.01, math.cos(math.radians(lat))))
    return lon - dlon, lon + dlon, lat - dlat, lat + dlat


def alarms_near(session: Session, *, device: Device, start: datetime, end: datetime) -> Sequence[Alarm]:
    """Alarms of the camera itself or raised within NEAR_M of it in the range."""
    west, east, south, north = _box(device.lon, device.lat, NEAR_M)
    near = (Alarm.lon.between(west, east)) & (Alarm.lat.between(south, north))
    return session.scalars(
        select(Alarm).where(Alarm.first_at >= start, Alarm.first_at < end, near | (Alarm.device_code == device.code))
        .order_by(Alarm.first_at).limit(200)
    ).all()


def incidents_near(session: Session, *, device: Device, start: datetime, end: datetime) -> Sequence[Incident]:
    west, east, south, north = _box(device.lon, device.lat, NEAR_M)
    return session.scalars(
        select(Incident).where(Incident.received_at >= start, Incident.received_at < end,
                               Incident.lon.between(west, east), Incident.lat.between(south, north))
        .order_by(Incident.received_at).limit(200)
    ).all()


def recorded_segments(session: Session, *, device: Device, start: datetime, end: datetime) -> Sequence[Segment]:
    """The camera's segments in the range; a range with nothing recorded is a 404 that says what is recorded."""
    found = segments.in_range(session=session, device_id=device.id, start=start, end=end)
    if not found:
        first, last = session.execute(
            select(func.min(Segment.start_at), func.max(Segment.end_at)).where(Segment.device_id == device.id)
        ).one()
        if first is None:
            raise NotFound("video.nothing_recorded", params={"code": device.code})
        raise NotFound("video.outside_recording", params={"code": device.code, "from": first.isoformat(),
                                                          "to": last.isoformat()})
    return found


def record_playback(session: Session, *, device: Device, start: datetime, end: datetime, reason: str | None,
                    segment_count: int, actor: audit.Actor) -> None:
    """One audit entry per camera of a playback session."""
    audit.record(session, action=ACTION_PLAYBACK, actor=actor, target_type="camera", target_id=device.code,
                 details={"from": start.isoformat(), "to": end.isoformat(), "reason": reason,
                          "segments": segment_count})


def masks_of(session: Session, device_id: int) -> list[list[list[float]]]:
    return list(session.scalar(select(VideoCamera.privacy_masks).where(VideoCamera.device_id == device_id)) or [])


def playable_file(*, segment: Segment, root: Path, masks: list[list[list[float]]], cache: Path) -> Path:
    """The file to send: as recorded (H.264, no masks), else an H.264 copy with the masks burned in (cached)."""
    source = root / segment.path
    if not source.is_file():
        raise QorgauError("video.segment_file_missing", status=410)
    if segment.codec == "h264" and not masks:
        return source
    from qorgau.video.transcode import freeze_masks, transcode_file

    key = hashlib.sha256(json.dumps([segment.volume, segment.path, masks]).encode()).hexdigest()[:24]
    target = cache / f"{segment.id}-{key}.mp4"
    if not target.is_file():
        cache.mkdir(parents=True, exist_ok=True)
        part = target.with_name(target.name + ".part")
        transcode_file(source, part, masks=freeze_masks(masks))
        part.replace(target)
    return target


def prune_cache(cache: Path, *, keep_s: float, now: float) -> int:
    """Remove transcoded copies not read for ``keep_s`` seconds (and abandoned ``.part`` files); returns how many."""
    removed = 0
    for path in cache.glob("*.mp4*") if cache.is_dir() else ():
        try:
            stat = path.stat()
            if now - max(stat.st_atime, stat.st_mtime) > keep_s:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue  # a concurrent request renamed or removed it
    return removed
