"""Video administration: camera groups (retention, roles), per-camera video settings and video walls."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.orm import Session

from qorgau.audit import service as audit
from qorgau.audit.service import Actor
from qorgau.core.errors import NotFound, QorgauError
from qorgau.core.time import utcnow
from qorgau.devices.models import Device
from qorgau.video.access import group_of
from qorgau.video.admin_schemas import CameraSettingsIn, CameraSettingsRead, GroupPatch, Tile, WallIn, WallRead
from qorgau.video.models import CameraGroup, PictureReference, VideoCamera, Wall

SHARED_WALL_NAME = "situation_center"


def groups(session: Session) -> list[CameraGroup]:
    return list(session.scalars(select(CameraGroup).order_by(CameraGroup.code)))


def update_group(*, session: Session, code: str, patch: GroupPatch, actor: Actor) -> CameraGroup:
    group = session.get(CameraGroup, code)
    if group is None:
        raise NotFound("video.group_not_found", params={"code": code})
    changes: dict[str, Any] = {}
    if "retention_days" in patch.model_fields_set:
        group.retention_days = changes["retention_days"] = patch.retention_days
    if "roles" in patch.model_fields_set:
        roles = None if patch.roles is None else sorted({str(role) for role in patch.roles})
        group.roles = changes["roles"] = roles
    group.updated_at = utcnow()
    audit.record(session, action="video.group_update", actor=actor, target_type="camera_group", target_id=code,
                 details=changes)
    return group


def reset_picture_reference(*, session: Session, device: Device, actor: Actor) -> None:
    """Forget a camera's reference view (it was re-aimed on purpose): its worker learns a new one; audited."""
    result = cast("CursorResult[Any]", session.execute(
        delete(PictureReference).where(PictureReference.device_id == device.id)))
    if result.rowcount == 0:
        raise NotFound("video.picture_reference_not_found")
    audit.record(session, action="video.picture_reference_reset", actor=actor, target_type="camera",
                 target_id=device.code)


def camera_settings(session: Session, *, device: Device) -> CameraSettingsRead:
    own = session.get(VideoCamera, device.id)
    return CameraSettingsRead(
        code=device.code, group=group_of(session, device), own_group=own.group_code if own else None,
        recording_mode=own.recording_mode if own else None,
        volume=own.volume if own else None, privacy_masks=list(own.privacy_masks or []) if own else [],
        updated_at=own.updated_at if own else None)


def update_camera_settings(
    *, session: Session, device: Device, body: CameraSettingsIn, volumes: set[str], actor: Actor
) -> CameraSettingsRead:
    """Replace a camera's video settings (group, recording mode, volume, privacy masks); audited."""
    if body.group is not None and session.get(CameraGroup, body.group) is None:
        raise QorgauError("video.group_not_found", status=422, params={"code": body.group})
    if body.volume is not None and body.volume not in volumes:
        raise QorgauError("video.volume_unknown", status=422, params={"name": body.volume})
    own = session.get(VideoCamera, device.id)
    if own is None:
        own = VideoCamera(device_id=device.id)
        session.add(own)
    own.group_code, own.volume = body.group, body.volume
    own.recording_mode = body.recording_mode.value if body.recording_mode else None
    own.privacy_masks = [[[float(x), float(y)] for x, y in polygon] for polygon in body.privacy_masks]
    own.updated_at = utcnow()
    session.flush()
    audit.record(session, action="video.camera_settings", actor=actor, target_type="camera", target_id=device.code,
                 details={"group": body.group, "recording_mode": own.recording_mode, "volume": body.volume,
                          "privacy_masks": len(body.privacy_masks)})
    return camera_settings(session, device=device)


def _read(wall: Wall, visible: Callable[[str], bool]) -> WallRead:
    """A wall as the caller sees it: a tile of a camera the caller may not see is shown empty."""
    tiles = [Tile(camera=t.get("camera") if t.get("camera") and visible(str(t["camera"])) else None,
                  follow_alarms=bool(t.get("follow_alarms"))) for t in wall.tiles]
    return WallRead(id=wall.id, name=wall.name, layout=wall.layout, tiles=tiles,
                    shared=wall.owner_id is None, updated_by=wall.updated_by, updated_at=wall.updated_at)


def walls(session: Session, *, user_id: int, visible: Callable[[str], bool]) -> list[WallRead]:
    """The caller's own walls by name, then the shared one."""
    own = session.scalars(select(Wall).where(Wall.owner_id == user_id).order_by(Wall.name))
    return [_read(w, visible) for w in own] + ([_read(s, visible)] if (s := shared_wall(session)) else [])


def shared_wall(session: Session) -> Wall | None:
    return session.scalars(select(Wall).where(Wall.owner_id.is_(None)).order_by(Wall.id).limit(1)).first()


def save_wall(
    *, session: Session, owner_id: int | None, body: WallIn, check_camera: Callable[[str], object], actor: Actor,
    visible: Callable[[str], bool],
) -> WallRead:
    """Create or replace the caller's wall of that name, or (owner None) the one shared wall."""
    for tile in body.tiles:
        if tile.camera is not None:
            check_camera(tile.camera)  # unknown or invisible: 404, as everywhere else
    if owner_id is None:
        wall = shared_wall(session)
    else:
        wall = session.scalars(select(Wall).where(Wall.owner_id == owner_id, Wall.name == body.name)).first()
    if wall is None:
        wall = Wall(owner_id=owner_id)
        session.add(wall)
    wall.name, wall.layout = body.name, body.layout
    wall.tiles = [tile.model_dump() for tile in body.tiles]
    wall.updated_by, wall.updated_at = actor.ref, utcnow()
    session.flush()
    if owner_id is None:
        audit.record(session, action="video.wall_shared_save", actor=actor, target_type="video_wall",
                     target_id=str(wall.id), details={"layout": body.layout, "cameras": [
                         t.camera for t in body.tiles if t.camera]})
    return _read(wall, visible)


def delete_wall(*, session: Session, wall_id: int, owner_id: int | None, actor: Actor) -> None:
    """Delete the caller's own wall (owner None: the shared one)."""
    wall = session.get(Wall, wall_id)
    if wall is None or wall.owner_id != owner_id:
        raise NotFound("video.wall_not_found")
    if owner_id is None:
        audit.record(session, action="video.wall_shared_delete", actor=actor, target_type="video_wall",
                     target_id=str(wall.id))
    session.delete(wall)
