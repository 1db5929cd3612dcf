"""Retention of what analytics kept: events and objects (and their pictures) older than the camera's group keeps
its recordings are deleted, as the recordings are; line counts hold no picture and no person and are kept.

Rows go in the caller's transaction and the files only after it commits (`delete_files`): a failed commit
leaves files without rows (harmless, found by the next pass's sweep of empty days), never rows without files.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from qorgau.core.db import Database
from qorgau.core.time import utcnow
from qorgau.core.workers import Periodic
from qorgau.devices.models import Device
from qorgau.video.access import DEFAULT_GROUP
from qorgau.video.analytics.models import AnalyticsEvent, DetectedObject
from qorgau.video.config import VideoSettings
from qorgau.video.models import CameraGroup, VideoCamera

log = logging.getLogger(__name__)
INTERVAL_S = 600.0
BATCH = 1000


@dataclass
class Pruned:
    events: int = 0
    objects: int = 0
    files: list[Path] = field(default_factory=list)


def _days(session: Session, device_ids: Sequence[int], default_days: int) -> dict[int, int]:
    groups = {code: days for code, days in session.execute(select(CameraGroup.code, CameraGroup.retention_days))}
    rows = session.execute(select(Device.id, VideoCamera.group_code, Device.purpose)
                           .join(VideoCamera, VideoCamera.device_id == Device.id, isouter=True)
                           .where(Device.id.in_(list(device_ids))))
    return {device_id: groups.get(own or purpose or DEFAULT_GROUP) or default_days for device_id, own, purpose in rows}


def prune(session: Session, *, root: Path, now: datetime, default_days: int) -> Pruned:
    """Delete the events and objects each camera keeps no longer (at most ``BATCH`` of each per camera a pass)."""
    found = Pruned()
    cameras = set(session.scalars(select(AnalyticsEvent.device_id).distinct())) | \
        set(session.scalars(select(DetectedObject.device_id).distinct()))
    for device_id, days in sorted(_days(session, sorted(cameras), default_days).items()):
        horizon = now - timedelta(days=days)
        events = session.execute(select(AnalyticsEvent.id, AnalyticsEvent.snapshot).where(
            AnalyticsEvent.device_id == device_id, AnalyticsEvent.at < horizon).limit(BATCH)).all()
        if events:
            session.execute(delete(AnalyticsEvent).where(AnalyticsEvent.id.in_([row[0] for row in events])))
        objects = session.execute(select(DetectedObject.id, DetectedObject.thumbnail).where(
            DetectedObject.device_id == device_id, DetectedObject.last_seen < horizon).limit(BATCH)).all()
        if objects:
            session.execute(delete(DetectedObject).where(DetectedObject.id.in_([row[0] for row in objects])))
        found.events += len(events)
        found.objects += len(objects)
        found.files += [root / path for _, path in [*events, *objects] if path]
    return found


def delete_files(files: Sequence[Path]) -> int:
    """Remove the pictures of pruned rows (after the commit), and the day folders left empty."""
    removed = 0
    for path in files:
        try:
            path.unlink(missing_ok=True)
            removed += 1
            path.parent.rmdir()  # only when it is empty: the day is over
        except OSError:
            continue
    return removed


class RetentionJob:
    def __init__(self, settings: VideoSettings, db: Database) -> None:
        self.settings, self.db = settings, db

    def run(self) -> Pruned:
        """One pass over every camera with analytics records."""
        with self.db.unit_of_work() as session:
            pruned = prune(session, root=self.settings.video_dir / "analytics", now=utcnow(),
                           default_days=self.settings.video_retention_days)
        delete_files(pruned.files)
        if pruned.events or pruned.objects:
            log.info("analytics retention removed %d events and %d objects", pruned.events, pruned.objects)
        return pruned


def periodic(settings: VideoSettings, db: Database) -> list[Periodic]:
    """The server's analytics retention pass (every ten minutes)."""
    return [Periodic("video-analytics-retention", INTERVAL_S, RetentionJob(settings, db).run)]
