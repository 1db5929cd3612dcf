"""Cameras as the video domain reads them: a worker's ``CameraConfig`` (registry camera, decrypted credentials,
video settings, group retention), and the API's camera list and detail with their stream status."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, lazyload, undefer

from qorgau.core.time import utcnow
from qorgau.devices.enums import SUPERVISED_LIFECYCLES, DeviceKind, Health, Lifecycle
from qorgau.devices.models import Device
from qorgau.video.access import DEFAULT_GROUP
from qorgau.video.config import VideoSettings
from qorgau.video.contracts import CameraConfig
from qorgau.video.enums import CameraState, RecordingMode, StreamKind
from qorgau.video.models import CameraGroup, CameraStatus, Segment, VideoCamera
from qorgau.video.schemas import CameraDetail, StreamStatusRead, VideoCameraRead


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


# -- the API's camera list and detail --------------------------------------------------------------------------

STALE_AFTER_S = 90.0  # three times the status rows' refresh: a row older than this is from a worker that is gone
FAILURE_ORDER = (CameraState.AUTH_FAILED, CameraState.UNSUPPORTED, CameraState.UNREACHABLE, CameraState.NO_VIDEO,
                 CameraState.CONNECTING)


def live_state(row: CameraStatus, now: datetime | None = None) -> CameraState:
    """The row's state, or idle when its worker has not written it for ``STALE_AFTER_S`` (the worker is gone)."""
    now = now or utcnow()
    if (now - row.updated_at).total_seconds() > STALE_AFTER_S:
        return CameraState.IDLE
    return CameraState(row.state)


def camera_state(rows: Sequence[CameraStatus]) -> CameraState:
    """One state for a camera: streaming if a stream streams, else the worst failure of a pulled stream, else idle."""
    now = utcnow()
    states = {live_state(row, now) for row in rows}
    if CameraState.STREAMING in states:
        return CameraState.STREAMING
    return next((state for state in FAILURE_ORDER if state in states), CameraState.IDLE)


def group_expression() -> ColumnElement[str]:
    """The camera's group in SQL, as ``access.group_of`` decides it."""
    return func.coalesce(VideoCamera.group_code, Device.purpose, DEFAULT_GROUP)


def statuses(session: Session, ids: Sequence[int]) -> dict[int, list[CameraStatus]]:
    found: dict[int, list[CameraStatus]] = {}
    for start in range(0, len(ids), 500):
        query = select(CameraStatus).where(CameraStatus.device_id.in_(ids[start:start + 500]))
        for row in session.scalars(query.order_by(CameraStatus.device_id, CameraStatus.stream)):
            found.setdefault(row.device_id, []).append(row)
    return found


def to_read(device: Device, group: str, rows: Sequence[CameraStatus], distance_m: float | None = None
            ) -> VideoCameraRead:
    streaming = [row for row in rows if live_state(row) is CameraState.STREAMING]
    best = max(streaming, key=lambda row: row.fps_in or 0.0, default=None)
    frames = [row.last_frame_at for row in rows if row.last_frame_at is not None]
    return VideoCameraRead(
        code=device.code, name_kk=device.name_kk, name_ru=device.name_ru, purpose=device.purpose, group=group,
        lon=device.lon, lat=device.lat, heading_deg=device.heading_deg, health=Health(device.health),
        lifecycle=Lifecycle(device.lifecycle), simulated=device.simulated, state=camera_state(rows),
        fps_in=best.fps_in if best is not None else None, last_frame_at=max(frames, default=None),
        distance_m=round(distance_m, 1) if distance_m is not None else None)


@dataclass(frozen=True, slots=True)
class CameraFilter:
    groups: Collection[str]  # the caller's visible groups
    text: str | None = None
    states: Collection[CameraState] = ()
    group: str | None = None
    codes: Collection[str] | None = None  # only these (the cameras near a point)


def search(session: Session, where: CameraFilter, *, after: str | None, limit: int) -> list[VideoCameraRead]:
    """Cameras in service by code after ``after``, at most ``limit`` (state filtered on the status rows)."""
    group = group_expression()
    query = (select(Device, group).outerjoin(VideoCamera, VideoCamera.device_id == Device.id)
             .where(Device.kind == DeviceKind.CAMERA.value, Device.lifecycle != Lifecycle.DECOMMISSIONED.value,
                    group.in_(sorted(where.groups)))
             .order_by(Device.code).options(lazyload("*")))
    if where.text:
        query = query.where(Device.search_text.contains(where.text.strip().lower(), autoescape=True))
    if where.group:
        query = query.where(group == where.group)
    if where.codes is not None:
        query = query.where(Device.code.in_(sorted(where.codes)))
    if after is not None:
        query = query.where(Device.code > after)
    found: list[VideoCameraRead] = []
    batch = max(limit, 200)
    offset = 0
    while len(found) < limit:
        rows = session.execute(query.limit(batch).offset(offset)).all()
        if not rows:
            break
        offset += len(rows)
        by_device = statuses(session, [device.id for device, _ in rows])
        for device, group_code in rows:
            item = to_read(device, group_code, by_device.get(device.id, []))
            if not where.states or item.state in where.states:
                found.append(item)
    return found[:limit]


def detail(session: Session, device: Device, settings: VideoSettings) -> CameraDetail:
    """A camera the caller may see: registry data, group, recording, both streams' figures, its newest segment."""
    video = session.get(VideoCamera, device.id)
    group = (video.group_code if video is not None else None) or device.purpose or DEFAULT_GROUP
    rows = statuses(session, [device.id]).get(device.id, [])
    mode = RecordingMode((video.recording_mode if video is not None else None) or settings.video_recording_mode)
    admitted = recorded_codes(session, settings)
    if admitted is not None and device.code not in admitted:
        mode = RecordingMode.OFF
    retention = session.scalar(select(CameraGroup.retention_days).where(CameraGroup.code == group))
    by_stream = {row.stream: row for row in rows}
    streams = [StreamStatusRead.model_validate(by_stream[kind.value], from_attributes=True).model_copy(
                   update={"state": live_state(by_stream[kind.value])})
               if kind.value in by_stream else StreamStatusRead(stream=kind, state=CameraState.IDLE)
               for kind in StreamKind]
    last = session.scalar(select(func.max(Segment.end_at)).where(Segment.device_id == device.id))
    return CameraDetail(
        **to_read(device, group, rows).model_dump(), site_code=device.site.code if device.site else None,
        fov_deg=device.fov_deg, range_m=device.range_m, has_sub_stream=device.stream_sub is not None,
        recording_mode=mode, retention_days=retention or settings.video_retention_days,
        privacy_masks=len(video.privacy_masks or []) if video is not None else 0, streams=streams,
        last_segment_at=last)
