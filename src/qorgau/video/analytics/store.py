"""Writing what the analytics saw, in one transaction per batch: events (with their snapshot files and the typed
`video.analytics_event` the alarm rules turn into alarms), finished objects (with thumbnails), and line counts
added to their 5-minute intervals. Functions never commit."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from qorgau.core.bus import Context, publish_later
from qorgau.core.time import utcnow
from qorgau.video.analytics.contracts import Box
from qorgau.video.analytics.models import AnalyticsEvent, AnalyticsRule, DetectedObject, LineCount
from qorgau.video.analytics.queries import snapshot_url
from qorgau.video.events import ANALYTICS_EVENT, AnalyticsEventRaised
from qorgau.video.models import RecordTrigger

log = logging.getLogger(__name__)
ACTOR = "system:video-analytics"
CountKey = tuple[int, datetime, str, str]  # rule id, interval start, direction, class


@dataclass(frozen=True, slots=True)
class PendingEvent:
    """A rule's hit waiting to be stored and announced."""

    device_id: int
    code: str
    rule_id: int
    rule_name: str
    kind: str
    at: datetime
    label: str | None
    track_id: int | None
    count: int | None
    direction: str | None
    box: Box | None
    jpeg: bytes | None
    simulated: bool = False
    record: bool = False  # the camera records on events only: the event makes it record its clip


@dataclass(frozen=True, slots=True)
class PendingObject:
    """A track that has left the picture, with its best moment."""

    device_id: int
    code: str
    track_id: int
    label: str
    first_seen: datetime
    last_seen: datetime
    best_at: datetime
    score: float
    box: Box
    zones: frozenset[int]
    jpeg: bytes | None


def _save(root: Path, relative: str, data: bytes | None) -> str | None:
    """Write a picture under the analytics directory; a failing disk loses the picture, never the record."""
    if data is None:
        return None
    path = root / relative
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError as exc:
        log.warning("analytics picture %s not written: %s", relative, exc)
        return None
    return relative


def _folder(kind: str, code: str, at: datetime) -> str:
    return f"{kind}/{code}/{at:%Y-%m-%d}"


def _existing(session: Session, rule_ids: set[int]) -> set[int]:
    """The rules that still exist: one deleted while its hits waited keeps its events, not its counts."""
    if not rule_ids:
        return set()
    return set(session.scalars(select(AnalyticsRule.id).where(AnalyticsRule.id.in_(sorted(rule_ids)))))


def store_events(session: Session, *, root: Path, events: Sequence[PendingEvent],
                 roll: tuple[timedelta, timedelta] = (timedelta(0), timedelta(0))) -> list[int]:
    """Insert the events, write their snapshots and publish `video.analytics_event` for each; a camera that
    records on events only gets a trigger from pre-roll before to post-roll after (``roll``), so the desk's
    "open the recording" finds a clip. Their ids."""
    kept = _existing(session, {e.rule_id for e in events})
    rows = [AnalyticsEvent(device_id=e.device_id, rule_id=e.rule_id if e.rule_id in kept else None,
                           rule_name=e.rule_name, kind=e.kind, label=e.label, track_id=e.track_id, at=e.at,
                           count=e.count, direction=e.direction,
                           box=list(e.box) if e.box else None) for e in events]
    session.add_all(rows)
    session.flush()
    for row, event in zip(rows, events, strict=True):
        row.snapshot = _save(root, f"{_folder('snapshots', event.code, event.at)}/{row.id}.jpg", event.jpeg)
        payload = AnalyticsEventRaised(
            event_id=row.id, code=event.code, device_id=event.device_id, rule_id=event.rule_id,
            rule=event.rule_name, kind=event.kind, label=event.label, track_id=event.track_id, count=event.count,
            direction=event.direction, snapshot_url=snapshot_url(row.id) if row.snapshot else None,
            recording_at=event.at)
        publish_later(session, ANALYTICS_EVENT, subject_id=str(event.device_id), payload=payload,
                      ctx=Context(actor=ACTOR, simulated=event.simulated), occurred_at=event.at)
        if event.record:
            session.add(RecordTrigger(device_id=event.device_id, start_at=event.at - roll[0],
                                      end_at=event.at + roll[1], cause=f"analytics:{row.id}", created_at=utcnow()))
    session.flush()
    return [row.id for row in rows]


def store_objects(session: Session, *, root: Path, objects: Sequence[PendingObject]) -> list[int]:
    """Insert the finished objects and write their thumbnails; their ids."""
    rows = [DetectedObject(device_id=o.device_id, track_id=o.track_id, label=o.label, first_seen=o.first_seen,
                           last_seen=o.last_seen, best_at=o.best_at, score=round(o.score, 4),
                           box=[round(v, 4) for v in o.box],
                           zones="," + "".join(f"{z}," for z in sorted(o.zones))) for o in objects]
    session.add_all(rows)
    session.flush()
    for row, found in zip(rows, objects, strict=True):
        row.thumbnail = _save(root, f"{_folder('objects', found.code, found.first_seen)}/{row.id}.jpg", found.jpeg)
    session.flush()
    return [row.id for row in rows]


def add_counts(session: Session, counts: dict[CountKey, int]) -> None:
    """Add crossings to their intervals (a camera belongs to one worker, so one writer per line)."""
    kept = _existing(session, {key[0] for key in counts})
    for (rule_id, bucket, direction, label), n in sorted(counts.items()):
        if rule_id not in kept:
            continue  # the line was deleted meanwhile
        row = session.scalars(select(LineCount).where(LineCount.rule_id == rule_id, LineCount.bucket == bucket,
                                                      LineCount.direction == direction, LineCount.label == label)
                              ).one_or_none()
        if row is None:
            session.add(LineCount(rule_id=rule_id, bucket=bucket, direction=direction, label=label, count=n))
        else:
            row.count += n
    session.flush()
