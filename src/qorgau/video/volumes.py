"""Storage volumes: checks (present, writable, quota, free space), their state in `video_volumes`, the
`video.volume_changed` events that raise storage alarms, and the choice of a volume for a new segment.

A volume's directory gets a marker file when first seen; a directory that later lacks it is an empty mount point
(the disk is gone), so it is reported missing instead of being silently filled on the root file system.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qorgau.core.bus import Context
from qorgau.core.bus.outbox import publish
from qorgau.core.time import utcnow
from qorgau.video.config import VolumeSpec
from qorgau.video.enums import VolumeState
from qorgau.video.events import VOLUME_CHANGED, VolumeChanged
from qorgau.video.models import Segment, VolumeStatus

MARKER = ".qorgau-volume"
# Below this much free space on the file system a volume is full whatever its quota says (a segment must fit).
MIN_FREE_BYTES = 64 * 1024 * 1024
CTX = Context.system("video.storage")


def quota_bytes(spec: VolumeSpec) -> int:
    return int(spec.quota_gb * 1_000_000_000)


def used_bytes(session: Session, name: str) -> int:
    """Bytes of indexed recordings on a volume."""
    return int(session.scalar(select(func.coalesce(func.sum(Segment.bytes), 0)).where(Segment.volume == name)) or 0)


@dataclass(frozen=True)
class Check:
    state: VolumeState
    free_bytes: int | None
    error: str | None


def probe_dir(path: Path, *, known: bool, min_free: int = MIN_FREE_BYTES) -> Check:
    """Look at a volume's directory: present (with its marker once known), writable, free space."""
    marker = path / MARKER
    if not path.is_dir() or (known and not marker.exists()):
        if known:
            return Check(VolumeState.MISSING, None, "the directory or its marker is gone")
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            return Check(VolumeState.MISSING, None, os.strerror(exc.errno or 0) or type(exc).__name__)
    try:
        probe = path / ".qorgau-write-check"
        probe.write_bytes(b"ok")
        probe.unlink()
        if not marker.exists():
            marker.write_text("Qorgau recordings volume: removing this file marks the volume missing.\n")
        free = shutil.disk_usage(path).free
    except OSError as exc:
        return Check(VolumeState.FAILING, None, os.strerror(exc.errno or 0) or type(exc).__name__)
    return Check(VolumeState.OK if free >= min_free else VolumeState.FULL, free,
                 None if free >= min_free else "the file system is full")


def set_state(*, session: Session, spec: VolumeSpec, state: VolumeState, used: int, free: int | None,
              error: str | None, now: datetime, ctx: Context = CTX) -> VolumeStatus:
    """Write a volume's status row; a change of state publishes `video.volume_changed`."""
    row = session.get(VolumeStatus, spec.name)
    previous = VolumeState(row.state) if row is not None else None
    if row is None:
        row = VolumeStatus(name=spec.name, path=str(spec.path), state=state.value, quota_bytes=quota_bytes(spec),
                           used_bytes=used, free_bytes=free, error=error, state_since=now, updated_at=now)
        session.add(row)
    else:
        row.path, row.quota_bytes, row.used_bytes, row.free_bytes, row.error = (
            str(spec.path), quota_bytes(spec), used, free, error)
        row.updated_at = now
        if previous is not state:
            row.state, row.state_since = state.value, now
    if previous is not state and not (previous is None and state is VolumeState.OK):
        publish(session, VOLUME_CHANGED, subject_id=spec.name, ctx=ctx, payload=VolumeChanged(
            name=spec.name, previous=previous or VolumeState.OK, current=state, used_bytes=used,
            quota_bytes=quota_bytes(spec), detail=error))
    return row


def check(*, session: Session, specs: Sequence[VolumeSpec], now: datetime | None = None,
          min_free: int = MIN_FREE_BYTES) -> list[VolumeStatus]:
    """Check every configured volume (after retention has made room) and record the states."""
    now = now or utcnow()
    rows = []
    for spec in specs:
        known = session.get(VolumeStatus, spec.name) is not None
        found = probe_dir(spec.path, known=known, min_free=min_free)
        used = used_bytes(session, spec.name)
        state, error = found.state, found.error
        if state is VolumeState.OK and used >= quota_bytes(spec):
            state, error = VolumeState.FULL, "at quota with nothing left that may be deleted"
        rows.append(set_state(session=session, spec=spec, state=state, used=used, free=found.free_bytes,
                              error=error, now=now))
    return rows


def report_failure(*, session: Session, spec: VolumeSpec, error: str, now: datetime | None = None) -> None:
    """A recorder's write failed on this volume: failing (or full on ENOSPC) until the next check says otherwise."""
    now = now or utcnow()
    state = VolumeState.FULL if "No space" in error else VolumeState.FAILING
    set_state(session=session, spec=spec, state=state, used=used_bytes(session, spec.name), free=None, error=error,
              now=now)


def writable(*, session: Session, specs: Sequence[VolumeSpec]) -> dict[str, int]:
    """Volumes a recorder may write to now, with their room left under quota (unchecked volumes count as ok)."""
    rows = {row.name: row for row in session.scalars(select(VolumeStatus))}
    room: dict[str, int] = {}
    for spec in specs:
        row = rows.get(spec.name)
        if row is None or row.state == VolumeState.OK.value:
            room[spec.name] = quota_bytes(spec) - (row.used_bytes if row is not None else 0)
    return room


def choose(room: dict[str, int], preferred: str | None) -> str | None:
    """The camera's own volume when it can be written, else the one with the most room."""
    if preferred is not None and preferred in room:
        return preferred
    return max(room, key=lambda name: room[name]) if room else None
