"""HTTP routes of the video administration: camera groups, per-camera video settings, and video walls (an
operator's own, and the situation center's shared wall)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Annotated

from fastapi import APIRouter, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from qorgau.auth.deps import Authenticated, Require
from qorgau.auth.enums import Permission, Role
from qorgau.auth.service import Principal
from qorgau.core.errors import NotFound, QorgauError
from qorgau.core.web import AppRuntime, ClientSource, DbSession, IdPath, ReadSession
from qorgau.devices.enums import DeviceKind
from qorgau.devices.models import Device
from qorgau.video import admin
from qorgau.video.access import camera_for
from qorgau.video.admin_schemas import CameraSettingsIn, CameraSettingsRead, GroupPatch, GroupRead, WallIn, WallRead
from qorgau.video.config import VideoSettings

router = APIRouter(prefix="/api/video", tags=["video"])
VideoAdmin = Annotated[Principal, Require(Permission.VIDEO_ADMIN)]
Viewer = Annotated[Principal, Require(Permission.VIDEO_VIEW)]
SignedIn = Annotated[Principal, Authenticated]


def _any_camera(session: Session, code: str) -> Device:
    """For video administrators: every camera, whatever its group (they set the groups)."""
    device = session.scalar(select(Device).where(Device.code == code, Device.kind == DeviceKind.CAMERA.value))
    if device is None:
        raise NotFound("video.camera_not_found")
    return device


def _checker(session: Session, principal: Principal) -> Callable[[str], object]:
    """How a wall's camera is checked for this caller: by view permission and group, or any camera for admins."""
    if principal.can(Permission.VIDEO_VIEW):
        return lambda code: camera_for(session, code=code, principal=principal, permission=Permission.VIDEO_VIEW)
    return lambda code: _any_camera(session, code)


def _visible(session: Session, principal: Principal) -> Callable[[str], bool]:
    check = _checker(session, principal)

    @cache
    def visible(code: str) -> bool:
        try:
            check(code)
        except NotFound:
            return False
        return True

    return visible


def _shared_editor(principal: Principal) -> None:
    """The situation center's wall is set by supervisors and video administrators."""
    if principal.role is not Role.SUPERVISOR and not principal.can(Permission.VIDEO_ADMIN):
        raise QorgauError("video.wall_shared_forbidden", status=403)


@router.get("/groups", response_model=list[GroupRead])
def list_groups(_: VideoAdmin, db: ReadSession) -> list[GroupRead]:
    """Camera groups with their retention and the roles that may see them."""
    return [GroupRead.model_validate(g) for g in admin.groups(db)]


@router.patch("/groups/{code}", response_model=GroupRead)
def update_group(code: str, body: GroupPatch, principal: VideoAdmin, db: DbSession, source: ClientSource
                 ) -> GroupRead:
    """Change a group's retention or roles (only the fields sent)."""
    return GroupRead.model_validate(admin.update_group(session=db, code=code, patch=body,
                                                       actor=principal.actor(source)))


@router.get("/cameras/{code}/settings", response_model=CameraSettingsRead)
def get_camera_settings(code: str, _: VideoAdmin, db: ReadSession) -> CameraSettingsRead:
    return admin.camera_settings(db, device=_any_camera(db, code))


@router.put("/cameras/{code}/settings", response_model=CameraSettingsRead)
def put_camera_settings(code: str, body: CameraSettingsIn, principal: VideoAdmin, db: DbSession,
                        runtime: AppRuntime, source: ClientSource) -> CameraSettingsRead:
    """Replace a camera's group, recording mode, volume and privacy masks."""
    volumes = {v.name for v in runtime.settings.part(VideoSettings).volumes()}
    return admin.update_camera_settings(session=db, device=_any_camera(db, code), body=body, volumes=volumes,
                                        actor=principal.actor(source))


@router.delete("/cameras/{code}/picture-reference", status_code=204)
def reset_picture_reference(code: str, principal: VideoAdmin, db: DbSession, source: ClientSource) -> Response:
    """Forget the camera's reference view (after it was re-aimed on purpose): its worker learns a new one."""
    admin.reset_picture_reference(session=db, device=_any_camera(db, code), actor=principal.actor(source))
    return Response(status_code=204)


@router.get("/walls", response_model=list[WallRead])
def list_walls(principal: Viewer, db: ReadSession) -> list[WallRead]:
    """The caller's own walls, then the situation center's shared wall (if set)."""
    return admin.walls(db, user_id=principal.user_id, visible=_visible(db, principal))


@router.put("/walls", response_model=WallRead)
def save_wall(body: WallIn, principal: Viewer, db: DbSession, source: ClientSource) -> WallRead:
    """Create or replace the caller's wall of this name."""
    return admin.save_wall(session=db, owner_id=principal.user_id, body=body, check_camera=_checker(db, principal),
                           actor=principal.actor(source), visible=_visible(db, principal))


@router.get("/walls/shared", response_model=WallRead)
def get_shared_wall(principal: SignedIn, db: ReadSession) -> WallRead:
    """The situation center's wall (video viewers and video administrators)."""
    if not (principal.can(Permission.VIDEO_VIEW) or principal.can(Permission.VIDEO_ADMIN)):
        raise QorgauError("auth.forbidden", status=403, params={"permission": str(Permission.VIDEO_VIEW)})
    found = [w for w in admin.walls(db, user_id=-1, visible=_visible(db, principal)) if w.shared]
    if not found:
        raise NotFound("video.wall_not_found")
    return found[0]


@router.put("/walls/shared", response_model=WallRead)
def save_shared_wall(body: WallIn, principal: SignedIn, db: DbSession, source: ClientSource) -> WallRead:
    """Set the situation center's wall (supervisors and video administrators)."""
    _shared_editor(principal)
    return admin.save_wall(session=db, owner_id=None, body=body, check_camera=_checker(db, principal),
                           actor=principal.actor(source), visible=_visible(db, principal))


@router.delete("/walls/shared", status_code=204)
def delete_shared_wall(principal: SignedIn, db: DbSession, source: ClientSource) -> Response:
    _shared_editor(principal)
    wall = admin.shared_wall(db)
    if wall is None:
        raise NotFound("video.wall_not_found")
    admin.delete_wall(session=db, wall_id=wall.id, owner_id=None, actor=principal.actor(source))
    return Response(status_code=204)


@router.delete("/walls/{wall_id}", status_code=204)
def delete_wall(wall_id: IdPath, principal: Viewer, db: DbSession, source: ClientSource) -> Response:
    """Delete one of the caller's own walls."""
    admin.delete_wall(session=db, wall_id=wall_id, owner_id=principal.user_id, actor=principal.actor(source))
    return Response(status_code=204)
