"""HTTP routes of recordings: a camera's timeline and segments, segment files (with Range), playback sessions
(audited per camera), and the storage status for video admins."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query
from sqlalchemy import func, select
from starlette.responses import FileResponse

from qorgau.auth.deps import Require
from qorgau.auth.enums import Permission
from qorgau.auth.service import Principal
from qorgau.core.errors import NotFound, QorgauError
from qorgau.core.web import AppRuntime, ClientSource, DbSession, ReadSession
from qorgau.devices.models import Device
from qorgau.video import recordings, segments
from qorgau.video.access import camera_for
from qorgau.video.config import VideoSettings
from qorgau.video.models import Segment, VolumeStatus
from qorgau.video.recordings_schemas import (
    CameraSegments,
    PlaybackCreate,
    PlaybackRead,
    SegmentRead,
    SpanRead,
    StorageRead,
    TimelineAlarm,
    TimelineIncident,
    TimelineRead,
    VolumeRead,
)

router = APIRouter(prefix="/api/video", tags=["video"])
Viewer = Annotated[Principal, Require(Permission.VIDEO_PLAYBACK)]
Admin = Annotated[Principal, Require(Permission.VIDEO_ADMIN)]
Code = Annotated[str, Path(max_length=32, description="The camera's registry code.")]
From = Annotated[datetime, Query(alias="from", description="Start of the range (RFC 3339 with a time zone).")]
To = Annotated[datetime, Query(alias="to", description="End of the range (RFC 3339 with a time zone).")]
SegmentId = Annotated[int, Path(ge=1, le=2**62, description="The segment's id.")]


def _aware(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    if start.tzinfo is None or end.tzinfo is None:
        raise QorgauError("video.bad_range", status=422, params={"days": recordings.MAX_RANGE.days})
    recordings.check_range(start, end)
    return start, end


@router.get("/cameras/{code}/timeline", response_model=TimelineRead)
def camera_timeline(code: Code, start: From, end: To, principal: Viewer, db: ReadSession) -> TimelineRead:
    """What is recorded of a range (spans and gaps) and the alarms and incidents at or near the camera."""
    start, end = _aware(start, end)
    device = camera_for(db, code=code, principal=principal, permission=Permission.VIDEO_PLAYBACK)
    line = segments.timeline(session=db, device_id=device.id, start=start, end=end)
    return TimelineRead(
        camera=device.code, start_at=start, end_at=end,
        recorded=[SpanRead(start_at=s.start_at, end_at=s.end_at) for s in line.recorded],
        gaps=[SpanRead(start_at=s.start_at, end_at=s.end_at) for s in line.gaps],
        alarms=[TimelineAlarm(id=a.id, kind=a.kind, rule=a.rule_code, priority=a.priority, at=a.first_at,
                              device_code=a.device_code)
                for a in recordings.alarms_near(db, device=device, start=start, end=end)],
        incidents=[TimelineIncident(id=i.id, number=i.number, category=i.category, state=i.state, at=i.received_at)
                   for i in recordings.incidents_near(db, device=device, start=start, end=end)],
    )


@router.get("/cameras/{code}/segments", response_model=CameraSegments)
def camera_segments(code: Code, start: From, end: To, principal: Viewer, db: ReadSession) -> CameraSegments:
    """The camera's recorded segments overlapping the range, in time order (404 when nothing is recorded there)."""
    start, end = _aware(start, end)
    device = camera_for(db, code=code, principal=principal, permission=Permission.VIDEO_PLAYBACK)
    found = recordings.recorded_segments(db, device=device, start=start, end=end)
    return CameraSegments(camera=device.code, segments=[SegmentRead.of(s) for s in found])


@router.get("/segments/{segment_id}", response_class=FileResponse,
            responses={200: {"content": {"video/mp4": {}}, "description": "The segment (fragmented MP4)."}})
def segment_file(segment_id: SegmentId, principal: Viewer, db: ReadSession, runtime: AppRuntime) -> FileResponse:
    """One segment file (Range requests supported); H.265 and masked cameras come as H.264 with masks burned in."""
    segment = segments.get(session=db, segment_id=segment_id)
    if segment is None:
        raise NotFound("video.segment_not_found")
    code = db.scalar(select(Device.code).where(Device.id == segment.device_id))
    try:
        camera_for(db, code=code or "", principal=principal, permission=Permission.VIDEO_PLAYBACK)
    except NotFound as exc:
        raise NotFound("video.segment_not_found") from exc
    settings = runtime.settings.part(VideoSettings)
    roots = {spec.name: spec.path for spec in settings.volumes()}
    root = roots.get(segment.volume)
    if root is None:
        raise NotFound("video.segment_not_found")
    path = recordings.playable_file(segment=segment, root=root, masks=recordings.masks_of(db, segment.device_id),
                                    cache=settings.playback_cache_dir)
    return FileResponse(path, media_type="video/mp4")


@router.post("/playback", response_model=PlaybackRead)
def start_playback(body: PlaybackCreate, principal: Viewer, db: DbSession, source: ClientSource) -> PlaybackRead:
    """Open a playback session of one or more cameras over a range: one audit entry per camera, their segments."""
    start, end = body.start_at, body.end_at
    recordings.check_range(start, end)
    devices = [camera_for(db, code=code, principal=principal, permission=Permission.VIDEO_PLAYBACK)
               for code in dict.fromkeys(body.cameras)]
    actor = principal.actor(source)
    result = []
    for device in devices:
        found = segments.in_range(session=db, device_id=device.id, start=start, end=end)
        recordings.record_playback(db, device=device, start=start, end=end, reason=body.reason,
                                   segment_count=len(found), actor=actor)
        result.append(CameraSegments(camera=device.code, segments=[SegmentRead.of(s) for s in found]))
    return PlaybackRead(cameras=result)


@router.get("/storage", response_model=StorageRead)
def storage(principal: Admin, db: ReadSession) -> StorageRead:
    """Each volume's state, quota, use, free space and oldest recording (as the storage job last saw them)."""
    oldest = dict(db.execute(select(Segment.volume, func.min(Segment.start_at)).group_by(Segment.volume)).all())
    rows = db.scalars(select(VolumeStatus).order_by(VolumeStatus.name)).all()
    return StorageRead(volumes=[VolumeRead.of(row, oldest.get(row.name)) for row in rows])
