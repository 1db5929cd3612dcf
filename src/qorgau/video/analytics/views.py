"""HTTP routes of video analytics: a camera's rules (video administrators edit them), its line counts, the
analytics events with their snapshots, and the object search with thumbnails. Viewers see only the cameras
their role's groups admit; a camera they may not see is not found."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from fastapi.responses import FileResponse
from sqlalchemy import select

from qorgau.auth.deps import Authenticated, Require
from qorgau.auth.enums import Permission
from qorgau.auth.service import Principal
from qorgau.core.errors import Forbidden, NotFound, QorgauError
from qorgau.core.pagination import DEFAULT_LIMIT
from qorgau.core.web import AppRuntime, ClientSource, DbSession, IdPath, PageLimit, ReadSession
from qorgau.devices.models import Device
from qorgau.video.access import camera_seen, camera_to_administer
from qorgau.video.analytics import queries, service
from qorgau.video.analytics.contracts import CLASSES
from qorgau.video.analytics.enums import RuleKind
from qorgau.video.analytics.models import AnalyticsEvent, DetectedObject
from qorgau.video.analytics.schemas import (
    AnalyticsEventPage,
    AnalyticsRuleIn,
    AnalyticsRuleRead,
    DetectedObjectPage,
    LineCounts,
)
from qorgau.video.config import VideoSettings

router = APIRouter(prefix="/api/video", tags=["video analytics"])
VideoAdmin = Annotated[Principal, Require(Permission.VIDEO_ADMIN)]
Viewer = Annotated[Principal, Require(Permission.VIDEO_VIEW)]
Playback = Annotated[Principal, Require(Permission.VIDEO_PLAYBACK)]
SignedIn = Annotated[Principal, Authenticated]
From = Annotated[datetime, Query(alias="from", description="Start of the range (RFC 3339, with offset).")]
To = Annotated[datetime, Query(alias="to", description="End of the range, exclusive.")]
Cameras = Annotated[list[str], Query(min_length=1, max_length=20, description="Camera codes (1 to 20).")]
MAX_RANGE_DAYS = 31
JPEG: dict[int | str, dict[str, Any]] = {200: {"content": {"image/jpeg": {}}, "description": "A JPEG."}}


def _range(start: datetime, end: datetime) -> None:
    if start.tzinfo is None or end.tzinfo is None or end <= start or (end - start).days > MAX_RANGE_DAYS:
        raise QorgauError("video.analytics_bad_range", status=422, params={"days": MAX_RANGE_DAYS},
                          errors=[{"field": "to", "message": "after `from`, with offsets, at most "
                                                             f"{MAX_RANGE_DAYS} days"}])


def _file(runtime: AppRuntime, relative: str | None) -> Path:
    root = analytics_root(runtime.settings.part(VideoSettings))
    path = (root / relative).resolve() if relative else None
    if path is None or not path.is_relative_to(root.resolve()) or not path.is_file():
        raise NotFound("video.analytics_picture_missing")
    return path


def analytics_root(settings: VideoSettings) -> Path:
    """Where snapshots and thumbnails are written (under the data directory)."""
    return settings.video_dir / "analytics"


@router.get("/cameras/{code}/analytics/rules", response_model=list[AnalyticsRuleRead])
def list_rules(code: str, principal: SignedIn, db: ReadSession) -> list[AnalyticsRuleRead]:
    """The camera's analytics rules (video viewers and video administrators)."""
    if not (principal.can(Permission.VIDEO_VIEW) or principal.can(Permission.VIDEO_ADMIN)):
        raise Forbidden("auth.forbidden", params={"permission": str(Permission.VIDEO_VIEW)})
    device = camera_seen(db, code=code, principal=principal, permission=Permission.VIDEO_VIEW)
    return [service.to_read(rule, device.code) for rule in service.rules_of(db, device.id)]


@router.post("/cameras/{code}/analytics/rules", response_model=AnalyticsRuleRead, status_code=201)
def create_rule(code: str, body: AnalyticsRuleIn, principal: VideoAdmin, db: DbSession, source: ClientSource
                ) -> AnalyticsRuleRead:
    """Draw a new rule on the camera's picture."""
    return service.create_rule(session=db, device=camera_to_administer(db, code=code), body=body,
                               actor=principal.actor(source))


@router.put("/cameras/{code}/analytics/rules/{rule_id}", response_model=AnalyticsRuleRead)
def replace_rule(code: str, rule_id: IdPath, body: AnalyticsRuleIn, principal: VideoAdmin, db: DbSession,
                 source: ClientSource) -> AnalyticsRuleRead:
    """Replace a rule's geometry, classes, schedule and thresholds."""
    return service.replace_rule(session=db, device=camera_to_administer(db, code=code), rule_id=rule_id, body=body,
                                actor=principal.actor(source))


@router.delete("/cameras/{code}/analytics/rules/{rule_id}", status_code=204)
def delete_rule(code: str, rule_id: IdPath, principal: VideoAdmin, db: DbSession, source: ClientSource) -> Response:
    service.delete_rule(session=db, device=camera_to_administer(db, code=code), rule_id=rule_id,
                        actor=principal.actor(source))
    return Response(status_code=204)


@router.get("/cameras/{code}/analytics/counts", response_model=list[LineCounts])
def line_counts(code: str, principal: Viewer, db: ReadSession, start: From, end: To) -> list[LineCounts]:
    """Crossings of each of the camera's lines per direction, per class and per 5-minute interval."""
    _range(start, end)
    device = camera_seen(db, code=code, principal=principal, permission=Permission.VIDEO_VIEW)
    return queries.line_counts(db, device_id=device.id, start=start, end=end)


@router.get("/analytics/events", response_model=AnalyticsEventPage)
def list_events(
    principal: Viewer, db: ReadSession, camera: Cameras,
    start: Annotated[datetime | None, Query(alias="from", description="Events at or after (RFC 3339).")] = None,
    end: Annotated[datetime | None, Query(alias="to", description="Events before.")] = None,
    kind: Annotated[list[RuleKind] | None, Query(description="Kinds of rule.")] = None,
    cursor: str | None = None, limit: PageLimit = DEFAULT_LIMIT,
) -> AnalyticsEventPage:
    """The analytics events of the cameras, newest first."""
    devices = [camera_seen(db, code=code, principal=principal, permission=Permission.VIDEO_VIEW).id for code in camera]
    rows = queries.events(db, device_ids=devices, start=start, end=end, kinds=kind or (),
                          after=queries.cursor_after(cursor), limit=limit + 1)
    more = len(rows) > limit
    return AnalyticsEventPage(items=rows[:limit],
                     next_cursor=queries.next_cursor(rows[limit - 1].at, rows[limit - 1].id) if more else None)


@router.get("/analytics/events/{event_id}/snapshot.jpg", response_class=FileResponse, responses=JPEG)
def event_snapshot(event_id: IdPath, principal: Viewer, db: ReadSession, runtime: AppRuntime) -> FileResponse:
    """The event's picture with the object's box drawn (privacy masks blacked out)."""
    event = db.get(AnalyticsEvent, event_id)
    code = db.scalar(select(Device.code).where(Device.id == event.device_id)) if event else None
    if event is None or code is None:
        raise NotFound("video.analytics_event_not_found")
    camera_seen(db, code=code, principal=principal, permission=Permission.VIDEO_VIEW)
    return FileResponse(_file(runtime, event.snapshot), media_type="image/jpeg",
                        headers={"cache-control": "private, max-age=86400"})


@router.get("/analytics/objects", response_model=DetectedObjectPage)
def search_objects(
    principal: Playback, db: ReadSession, camera: Cameras, start: From, end: To,
    label: Annotated[str | None, Query(max_length=16, description="Object class (person, car…).")] = None,
    zone: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="Id of a polygon rule it was in.")] = None,
    cursor: str | None = None, limit: PageLimit = DEFAULT_LIMIT,
) -> DetectedObjectPage:
    """Objects the cameras saw in the range, in the order they appeared, with their thumbnails."""
    _range(start, end)
    if label is not None and label not in CLASSES:
        raise QorgauError("video.analytics_unknown_class", status=422,
                          params={"classes": label, "known": ", ".join(CLASSES)},
                          errors=[{"field": "label", "message": "unknown class"}])
    devices = [camera_seen(db, code=code, principal=principal, permission=Permission.VIDEO_PLAYBACK).id
               for code in camera]
    rows = queries.objects(db, device_ids=devices, start=start, end=end, label=label, zone=zone,
                           after=queries.cursor_after(cursor), limit=limit + 1)
    more = len(rows) > limit
    return DetectedObjectPage(items=rows[:limit], next_cursor=queries.next_cursor(rows[limit - 1].first_seen,
                                                                          rows[limit - 1].id) if more else None)


@router.get("/analytics/objects/{object_id}/thumbnail.jpg", response_class=FileResponse, responses=JPEG)
def object_thumbnail(object_id: IdPath, principal: Playback, db: ReadSession, runtime: AppRuntime) -> FileResponse:
    """The object's best picture, cut from the frame."""
    found = db.get(DetectedObject, object_id)
    code = db.scalar(select(Device.code).where(Device.id == found.device_id)) if found else None
    if found is None or code is None:
        raise NotFound("video.analytics_object_not_found")
    camera_seen(db, code=code, principal=principal, permission=Permission.VIDEO_PLAYBACK)
    return FileResponse(_file(runtime, found.thumbnail), media_type="image/jpeg",
                        headers={"cache-control": "private, max-age=86400"})
