"""A worker's cameras as ``CameraConfig``: registry camera, decrypted credentials, video settings, group retention."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload, undefer

from qorgau.devices.enums import SUPERVISED_LIFECYCLES, DeviceKind
from qorgau.devices.models import Device
from qorgau.video.access import DEFAULT_GROUP
from qorgau.video.config import VideoSettings
from qorgau.video.contracts import CameraConfig
from qorgau.video.enums import RecordingMode
from qorgau.video.models import CameraGroup, VideoCamera


def recorded_codes(session: Session, settings: VideoSettings) -> set[str] | None:
    """Codes of the cameras the recorded-cameras limit admits (the lowest codes first); None: no limit."""
    limit = settings.video_recorded_cameras_limit
    if limit is None:
        return None
    query = (select(Device.code).where(Device.kind == DeviceKind.CAMERA.value,
                                       Device.lifecycle.in_([str(s) for s in SUPERVISED_LIFECYCLES]))
             .order_by(Device.code).limit(limit))
    return set(session.scalars(query))


def load(session: Session, settings: VideoSettings, *, index: int = 0, count: int = 1) -> list[CameraConfig]:
    """The cameras in service that worker ``index`` of ``count`` owns (``worker_for``), with credentials in memory.

    ``recording_mode`` is the effective one: the camera's own, else the setting, and OFF beyond the
    recorded-cameras limit.
    """
    query = (
        select(Device, VideoCamera)
        .outerjoin(VideoCamera, VideoCamera.device_id == Device.id)
        .where(Device.kind == DeviceKind.CAMERA.value,
               Device.lifecycle.in_([str(s) for s in SUPERVISED_LIFECYCLES]),
               Device.id % max(1, count) == index)
        .order_by(Device.id)
        .options(lazyload("*"), undefer(Device.username), undefer(Device.password))
    )
    retention = {code: days for code, days in session.execute(select(CameraGroup.code, CameraGroup.retention_days))}
    admitted = recorded_codes(session, settings)
    cameras = []
    for device, video in session.execute(query):
        group = (video.group_code if video is not None else None) or device.purpose or DEFAULT_GROUP
        mode = RecordingMode((video.recording_mode if video is not None else None) or settings.video_recording_mode)
        if admitted is not None and device.code not in admitted:
            mode = RecordingMode.OFF
        masks = tuple(tuple((float(x), float(y)) for x, y in polygon)
                      for polygon in ((video.privacy_masks or []) if video is not None else []))
        cameras.append(CameraConfig(
            device_id=device.id, code=device.code, main_url=device.stream_main, sub_url=device.stream_sub,
            username=device.username, password=device.password, recording_mode=mode,
            volume=video.volume if video is not None else None, group=group,
            retention_days=retention.get(group) or settings.video_retention_days, privacy_masks=masks,
            lon=device.lon, lat=device.lat, simulated=device.simulated,
        ))
    return cameras
