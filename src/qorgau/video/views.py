"""HTTP routes of the camera list and detail (`/api/video/cameras`): search, state and group filters, the cameras
that see a point ordered by distance, and each camera's stream status; only cameras the caller's role may see."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Query

from qorgau.auth.deps import Require
from qorgau.auth.enums import Permission
from qorgau.auth.service import Principal
from qorgau.core.errors import QorgauError
from qorgau.core.pagination import DEFAULT_LIMIT, decode_cursor, encode_cursor
from qorgau.core.web import AppRuntime, PageLimit, ReadSession
from qorgau.devices import nearest
from qorgau.video import access, cameras
from qorgau.video.config import VideoSettings
from qorgau.video.enums import CameraState
from qorgau.video.schemas import CameraDetail, CameraPage

router = APIRouter(prefix="/api/video", tags=["video"])
Viewer = Annotated[Principal, Require(Permission.VIDEO_VIEW)]
NEAR_CANDIDATES = 200  # cameras that see a point, before the caller's groups and filters narrow them


def _point(value: str) -> tuple[float, float]:
    try:
        lon, lat = (float(part) for part in value.split(","))
    except ValueError:
        lon = lat = math.nan
    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        raise QorgauError("video.bad_near", status=422, errors=[{"field": "near", "message": value[:100]}])
    return lon, lat


def _after(cursor: str | None) -> str | None:
    after = decode_cursor(cursor)
    if after is not None and (not isinstance(after, str) or len(after) > 64):
        raise QorgauError("request.bad_cursor", status=400)
    return after


@router.get("/cameras", response_model=CameraPage)
def list_cameras(
    principal: Viewer, db: ReadSession, runtime: AppRuntime,
    q: Annotated[str | None, Query(max_length=100, description="Text in the code or a name.")] = None,
    state: Annotated[list[CameraState] | None, Query(description="The camera's stream state.")] = None,
    group: Annotated[str | None, Query(max_length=32, description="Camera group code.")] = None,
    near: Annotated[str | None, Query(max_length=60, description="lon,lat: the cameras that see this point, "
                                                                "nearest first (one page of `limit`).")] = None,
    cursor: str | None = None, limit: PageLimit = DEFAULT_LIMIT,
) -> CameraPage:
    """Cameras the caller may see, by code (or by distance from `near`), with their state and frame rate."""
    where = cameras.CameraFilter(groups=access.visible_groups(db, principal), text=q, states=state or (),
                                 group=group)
    if near is not None:
        lon, lat = _point(near)
        sightings = {s.camera.code: s.distance_m
                     for s in nearest.query(runtime.db, db, lon, lat, limit=NEAR_CANDIDATES)}
        found = cameras.search(db, cameras.CameraFilter(groups=where.groups, text=q, states=where.states,
                                                        group=group, codes=set(sightings)),
                               after=None, limit=len(sightings) or 1)
        items = sorted((item.model_copy(update={"distance_m": round(sightings[item.code], 1)}) for item in found),
                       key=lambda item: (item.distance_m, item.code))
        return CameraPage(items=items[:limit], next_cursor=None)
    rows = cameras.search(db, where, after=_after(cursor), limit=limit + 1)
    return CameraPage(items=rows[:limit], next_cursor=encode_cursor(rows[limit - 1].code) if len(rows) > limit
                      else None)


@router.get("/cameras/{code}", response_model=CameraDetail)
def camera_detail(code: str, principal: Viewer, db: ReadSession, runtime: AppRuntime) -> CameraDetail:
    """One camera: registry data, group, recording mode, both streams' status and the newest recording."""
    device = access.camera_for(db, code=code.strip().upper(), principal=principal, permission=Permission.VIDEO_VIEW)
    settings = runtime.settings
    assert isinstance(settings, VideoSettings)  # noqa: S101 - the server's settings hold every domain's part
    return cameras.detail(db, device, settings)
