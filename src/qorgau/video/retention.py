"""Retention: segments older than their camera group keeps them, and the oldest segments of a volume over its
quota, are deleted — never a protected range, never the segment being written (it is not indexed until closed).

Rows are deleted in the caller's transaction and the files only after it commits (`delete_files`): a failed
commit then leaves files without rows, which repair indexes again, never rows without files.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import and_, delete, exists, func, select
from sqlalchemy.orm import Session

from qorgau.devices.models import Device
from qorgau.video.access import DEFAULT_GROUP
from qorgau.video.config import VolumeSpec
from qorgau.video.models import CameraGroup, Protection, Segment, VideoCamera
from qorgau.video.volumes import quota_bytes

log = logging.getLogger(__name__)

BATCH = 500


@dataclass
class Deleted:
    """What a retention pass removed from the index; the files go once the transaction commits."""

    files: list[Path] = field(default_factory=list)
    by_age: int = 0
    by_quota: int = 0
    bytes: int = 0


def _unprotected() -> object:
    """Segments no unreleased protection of their camera overlaps."""
    return ~exists().where(
        Protection.device_id == Segment.device_id, Protection.released_at.is_(None),
        Protection.start_at < Segment.end_at, Protection.end_at > Segment.start_at,
    )


def retention_days(session: Session, *, default_days: int) -> dict[int, int]:
    """Days to keep for each camera that has segments: its group's setting, else the default."""
    groups = {code: days for code, days in session.execute(select(CameraGroup.code, CameraGroup.retention_days))}
    rows = session.execute(
        select(Device.id, VideoCamera.group_code, Device.purpose)
        .join(VideoCamera, VideoCamera.device_id == Device.id, isouter=True)
        .where(Device.id.in_(select(Segment.device_id).distinct()))
    )
    return {device_id: groups.get(own or purpose or DEFAULT_GROUP) or default_days
            for device_id, own, purpose in rows}


def _remove(session: Session, rows: Sequence[tuple[int, str, str, int]], roots: dict[str, Path],
            deleted: Deleted) -> None:
    if not rows:
        return
    session.execute(delete(Segment).where(Segment.id.in_([row[0] for row in rows])))
    for _id, volume, path, size in rows:
        root = roots.get(volume)
        if root is not None:
            deleted.files.append(root / path)
        deleted.bytes += size


def by_age(*, session: Session, specs: Sequence[VolumeSpec], now: datetime, default_days: int,
           deleted: Deleted) -> None:
    """Delete each camera's unprotected segments that ended before its retention horizon."""
    roots = {spec.name: spec.path for spec in specs}
    for device_id, days in retention_days(session, default_days=default_days).items():
        horizon = now - timedelta(days=days)
        while True:
            rows = session.execute(
                select(Segment.id, Segment.volume, Segment.path, Segment.bytes)
                .where(Segment.device_id == device_id, Segment.end_at < horizon, _unprotected())  # type: ignore[arg-type]
                .order_by(Segment.start_at).limit(BATCH)
            ).all()
            _remove(session, rows, roots, deleted)
            deleted.by_age += len(rows)
            if len(rows) < BATCH:
                break


def by_quota(*, session: Session, specs: Sequence[VolumeSpec], deleted: Deleted) -> None:
    """Delete a volume's oldest unprotected segments until its recordings fit its quota again."""
    roots = {spec.name: spec.path for spec in specs}
    for spec in specs:
        used = int(session.scalar(select(func.coalesce(func.sum(Segment.bytes), 0))
                                  .where(Segment.volume == spec.name)) or 0)
        excess = used - quota_bytes(spec)
        while excess > 0:
            candidates = session.execute(
                select(Segment.id, Segment.volume, Segment.path, Segment.bytes)
                .where(and_(Segment.volume == spec.name, _unprotected()))  # type: ignore[arg-type]
                .order_by(Segment.start_at, Segment.id).limit(BATCH)
            ).all()
            if not candidates:
                break  # all protected: the volume check reports it full
            take = []
            for row in candidates:
                take.append(row)
                excess -= row[3]
                if excess <= 0:
                    break
            _remove(session, take, roots, deleted)
            deleted.by_quota += len(take)


def enforce(*, session: Session, specs: Sequence[VolumeSpec], now: datetime, default_days: int) -> Deleted:
    """One retention pass: by age, then by quota."""
    deleted = Deleted()
    by_age(session=session, specs=specs, now=now, default_days=default_days, deleted=deleted)
    by_quota(session=session, specs=specs, deleted=deleted)
    return deleted


def delete_files(deleted: Deleted) -> int:
    """Remove the files of a committed retention pass and their empty hour/day folders; the count removed."""
    removed = 0
    for path in deleted.files:
        try:
            path.unlink()
            removed += 1
        except FileNotFoundError:
            continue
        except OSError as exc:
            log.warning("cannot delete %s: %s", path, exc.strerror)
            continue
        parent = path.parent
        for _ in range(4):  # HH, DD, MM, YYYY
            try:
                parent.rmdir()
            except OSError:
                break
            parent = parent.parent
    return removed
