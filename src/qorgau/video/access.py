"""Who may see which camera: the permission for the kind of access, then the camera group's roles.

A camera the caller may not see is reported as not found, so its existence is not disclosed either.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from qorgau.auth.enums import Permission
from qorgau.auth.service import Principal
from qorgau.core.errors import Forbidden, NotFound
from qorgau.devices.enums import DeviceKind
from qorgau.devices.models import Device
from qorgau.video.models import CameraGroup, VideoCamera

DEFAULT_GROUP = "public_space"


def group_of(session: Session, device: Device) -> str:
    """The camera's group: its own setting, else the group named after its purpose."""
    own = session.scalar(select(VideoCamera.group_code).where(VideoCamera.device_id == device.id))
    return own or device.purpose or DEFAULT_GROUP


def group_roles(session: Session) -> dict[str, list[str] | None]:
    """Each group's allowed roles (None: every role holding the video permission)."""
    return {code: roles for code, roles in session.execute(select(CameraGroup.code, CameraGroup.roles))}


def may_see_group(principal: Principal, roles: list[str] | None) -> bool:
    return roles is None or principal.role.value in roles


def camera_for(session: Session, *, code: str, principal: Principal, permission: Permission) -> Device:
    """The camera ``code`` if ``principal`` holds ``permission`` and the camera's group admits its role."""
    if not principal.can(permission):
        raise Forbidden()
    device = session.scalar(select(Device).where(Device.code == code, Device.kind == DeviceKind.CAMERA.value))
    if device is None:
        raise NotFound("video.camera_not_found")
    roles = group_roles(session).get(group_of(session, device))
    if not may_see_group(principal, roles):
        raise NotFound("video.camera_not_found")
    return device


def camera_to_administer(session: Session, *, code: str) -> Device:
    """The camera ``code`` for a video administrator, who manages every camera whatever its group admits."""
    device = session.scalar(select(Device).where(Device.code == code.strip().upper(),
                                                 Device.kind == DeviceKind.CAMERA.value))
    if device is None:
        raise NotFound("video.camera_not_found")
    return device


def camera_seen(session: Session, *, code: str, principal: Principal, permission: Permission) -> Device:
    """The camera if ``principal`` may see it with ``permission``; a video administrator without it sees any
    camera (to draw its masks and analytics rules)."""
    if principal.can(Permission.VIDEO_ADMIN) and not principal.can(permission):
        return camera_to_administer(session, code=code)
    return camera_for(session, code=code.strip().upper(), principal=principal, permission=permission)


def visible_groups(session: Session, principal: Principal) -> set[str]:
    """Codes of the groups whose cameras ``principal`` may see (for filtering lists)."""
    return {code for code, roles in group_roles(session).items() if may_see_group(principal, roles)}
