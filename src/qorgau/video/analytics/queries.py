"""Reading what analytics found: the events of cameras (newest first), the objects seen in a time range (search),
and the line-crossing counts per direction and interval."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from qorgau.core.errors import QorgauError
from qorgau.core.pagination import decode_cursor, encode_cursor
from qorgau.devices.models import Device
from qorgau.video.analytics.enums import Direction, RuleKind
from qorgau.video.analytics.models import AnalyticsEvent, AnalyticsRule, DetectedObject, LineCount
from qorgau.video.analytics.schemas import (
    AnalyticsEventRead,
    DetectedObjectRead,
    DirectionCounts,
    LineCountBucket,
    LineCounts,
)

PREFIX = "/api/video/analytics"
BUCKET = timedelta(minutes=5)  # line counts are kept per this interval
MAX_BUCKETS = 2016  # a week of 5-minute intervals per answer


def snapshot_url(event_id: int) -> str:
    return f"{PREFIX}/events/{event_id}/snapshot.jpg"


def thumbnail_url(object_id: int) -> str:
    return f"{PREFIX}/objects/{object_id}/thumbnail.jpg"


def bucket_of(at: datetime) -> datetime:
    """The start of the counting interval ``at`` falls in (UTC)."""
    seconds = int(at.timestamp()) // int(BUCKET.total_seconds()) * int(BUCKET.total_seconds())
    return datetime.fromtimestamp(seconds, tz=UTC)


def cursor_after(cursor: str | None) -> tuple[datetime, int] | None:
    """The (time, id) a page cursor carries; anything else is a bad cursor, not a 500."""
    key = decode_cursor(cursor)
    if key is None:
        return None
    try:
        moment, row_id = key
        at = datetime.fromisoformat(moment)
    except (TypeError, ValueError) as exc:
        raise QorgauError("request.bad_cursor", status=400) from exc
    if not isinstance(row_id, int) or isinstance(row_id, bool) or at.tzinfo is None:
        raise QorgauError("request.bad_cursor", status=400)
    return at, row_id


def next_cursor(at: datetime, row_id: int) -> str:
    return encode_cursor([at.isoformat(), row_id])


def _codes(session: Session, device_ids: Sequence[int]) -> dict[int, str]:
    return {row_id: code for row_id, code in session.execute(select(Device.id, Device.code)
                                                             .where(Device.id.in_(list(device_ids))))}


def events(session: Session, *, device_ids: Sequence[int], start: datetime | None, end: datetime | None,
           kinds: Sequence[RuleKind] = (), after: tuple[datetime, int] | None = None, limit: int = 50
           ) -> list[AnalyticsEventRead]:
    """The cameras' analytics events, newest first."""
    query = select(AnalyticsEvent).where(AnalyticsEvent.device_id.in_(list(device_ids)))
    if start is not None:
        query = query.where(AnalyticsEvent.at >= start)
    if end is not None:
        query = query.where(AnalyticsEvent.at < end)
    if kinds:
        query = query.where(AnalyticsEvent.kind.in_([k.value for k in kinds]))
    if after is not None:
        query = query.where(or_(AnalyticsEvent.at < after[0],
                                and_(AnalyticsEvent.at == after[0], AnalyticsEvent.id < after[1])))
    rows = session.scalars(query.order_by(AnalyticsEvent.at.desc(), AnalyticsEvent.id.desc()).limit(limit)).all()
    codes = _codes(session, device_ids)
    return [AnalyticsEventRead(id=e.id, camera=codes.get(e.device_id, "?"), rule_id=e.rule_id, rule=e.rule_name,
                      kind=RuleKind(e.kind), label=e.label, track_id=e.track_id, at=e.at, count=e.count,
                      direction=Direction(e.direction) if e.direction else None, box=e.box,
                      snapshot_url=snapshot_url(e.id) if e.snapshot else None) for e in rows]


def objects(session: Session, *, device_ids: Sequence[int], start: datetime, end: datetime,
            label: str | None = None, zone: int | None = None, after: tuple[datetime, int] | None = None,
            limit: int = 50) -> list[DetectedObjectRead]:
    """Objects seen by the cameras at some time in [start, end), in the order they appeared."""
    query = select(DetectedObject).where(DetectedObject.device_id.in_(list(device_ids)),
                                         DetectedObject.first_seen < end, DetectedObject.last_seen >= start)
    if label is not None:
        query = query.where(DetectedObject.label == label)
    if zone is not None:
        query = query.where(DetectedObject.zones.contains(f",{zone},", autoescape=True))
    if after is not None:
        query = query.where(or_(DetectedObject.first_seen > after[0],
                                and_(DetectedObject.first_seen == after[0], DetectedObject.id > after[1])))
    rows = session.scalars(query.order_by(DetectedObject.first_seen, DetectedObject.id).limit(limit)).all()
    codes = _codes(session, device_ids)
    return [DetectedObjectRead(id=o.id, camera=codes.get(o.device_id, "?"), track_id=o.track_id, label=o.label,
                       first_seen=o.first_seen, last_seen=o.last_seen, best_at=o.best_at, score=o.score, box=o.box,
                       zones=[int(z) for z in o.zones.split(",") if z],
                       thumbnail_url=thumbnail_url(o.id) if o.thumbnail else None) for o in rows]


def line_counts(session: Session, *, device_id: int, start: datetime, end: datetime) -> list[LineCounts]:
    """Each line rule of the camera: crossings per direction in [start, end), per class and per interval."""
    lines = session.scalars(select(AnalyticsRule).where(AnalyticsRule.device_id == device_id,
                                                        AnalyticsRule.kind == RuleKind.LINE.value)
                            .order_by(AnalyticsRule.id)).all()
    found: list[LineCounts] = []
    for rule in lines:
        rows = session.scalars(select(LineCount).where(LineCount.rule_id == rule.id, LineCount.bucket >= start,
                                                       LineCount.bucket < end).order_by(LineCount.bucket)).all()
        buckets: dict[datetime, LineCountBucket] = {}
        labels: dict[str, DirectionCounts] = {}
        for row in rows:
            bucket = buckets.setdefault(row.bucket, LineCountBucket(start=row.bucket, forward=0, backward=0))
            per_label = labels.setdefault(row.label, DirectionCounts(forward=0, backward=0))
            for counts in (bucket, per_label):
                if row.direction == Direction.FORWARD:
                    counts.forward += row.count
                else:
                    counts.backward += row.count
        found.append(LineCounts(rule_id=rule.id, name=rule.name, forward=sum(b.forward for b in buckets.values()),
                                backward=sum(b.backward for b in buckets.values()), by_label=labels,
                                buckets=list(buckets.values())))
    return found
