"""Event recording and incident protections from the desk: an alarm with a location makes the cameras that see it
(in events mode) record from pre-roll before to post-roll after; an incident with a location protects the
recordings of the cameras that see it from retention until it is closed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from qorgau.core.time import utcnow
from qorgau.devices import nearest
from qorgau.devices.models import Device
from qorgau.video.config import VideoSettings
from qorgau.video.enums import ProtectionReason, RecordingMode
from qorgau.video.models import Protection, RecordTrigger, VideoCamera

CAMERAS_PER_EVENT = 4  # the cameras that see a place best
# What an incident keeps of its cameras: from before it was reported until some time after (until it is closed).
INCIDENT_BEFORE = timedelta(minutes=10)
INCIDENT_AFTER = timedelta(hours=1)


def cameras_seeing(session: Session, *, lon: float, lat: float,
                   limit: int = CAMERAS_PER_EVENT) -> list[tuple[int, str, str | None]]:
    """(device id, code, own recording mode) of the cameras that see the point, best first."""
    codes = [s.camera.code for s in nearest.query_in(session, lon, lat, limit)]
    if not codes:
        return []
    rows = {code: (device_id, mode) for device_id, code, mode in session.execute(
        select(Device.id, Device.code, VideoCamera.recording_mode)
        .join(VideoCamera, VideoCamera.device_id == Device.id, isouter=True).where(Device.code.in_(codes)))}
    return [(rows[code][0], code, rows[code][1]) for code in codes if code in rows]


def record_around(*, session: Session, lon: float, lat: float, at: datetime, cause: str,
                  settings: VideoSettings) -> list[RecordTrigger]:
    """Triggers for the cameras in events mode that see the point: from at − pre-roll to at + post-roll."""
    made = []
    for device_id, _code, own in cameras_seeing(session, lon=lon, lat=lat):
        if RecordingMode(own or settings.video_recording_mode) is not RecordingMode.EVENTS:
            continue
        trigger = RecordTrigger(device_id=device_id, start_at=at - timedelta(seconds=settings.video_pre_roll_s),
                                end_at=at + timedelta(seconds=settings.video_post_roll_s), cause=cause[:64],
                                created_at=utcnow())
        session.add(trigger)
        made.append(trigger)
    return made


def protect_incident(*, session: Session, number: str, lon: float, lat: float, at: datetime,
                     actor: str) -> list[Protection]:
    """Protect the recordings of the cameras that see an incident's place around the time it was reported."""
    if session.scalar(select(Protection.id).where(Protection.ref == number,
                                                  Protection.reason == ProtectionReason.INCIDENT.value)):
        return []
    made = []
    for device_id, _code, _mode in cameras_seeing(session, lon=lon, lat=lat):
        protection = Protection(device_id=device_id, start_at=at - INCIDENT_BEFORE, end_at=at + INCIDENT_AFTER,
                                reason=ProtectionReason.INCIDENT.value, ref=number[:64], created_by=actor[:120],
                                created_at=utcnow())
        session.add(protection)
        made.append(protection)
    return made


def release_incident(*, session: Session, number: str, at: datetime) -> int:
    """An incident closed: its protections end (retention may then remove the recordings in time)."""
    result = session.execute(
        update(Protection).where(Protection.ref == number, Protection.reason == ProtectionReason.INCIDENT.value,
                                 Protection.released_at.is_(None)).values(released_at=at)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def active(session: Session, *, device_ids: Sequence[int], now: datetime) -> dict[int, datetime]:
    """Each camera's latest trigger end among the triggers running now."""
    rows = session.execute(select(RecordTrigger.device_id, RecordTrigger.end_at).where(
        RecordTrigger.device_id.in_(device_ids), RecordTrigger.start_at <= now, RecordTrigger.end_at > now))
    found: dict[int, datetime] = {}
    for device_id, end in rows:
        found[device_id] = max(end, found.get(device_id, end))
    return found
