"""API shapes of the camera list and detail: registry data, group, recording mode, stream status figures."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from qorgau.devices.enums import Health, Lifecycle
from qorgau.video.enums import CameraState, RecordingMode, StreamKind


class StreamStatusRead(BaseModel):
    stream: StreamKind
    state: CameraState = Field(description="What the owning worker last reported (idle: not pulled).")
    codec: str | None = None
    width: int | None = None
    height: int | None = None
    fps_in: float | None = Field(default=None, description="Frames per second received (last 5 s).")
    bitrate_kbps: float | None = None
    reconnects: int = 0
    dropped_packets: int = 0
    last_frame_at: datetime | None = None
    viewers: int = Field(default=0, description="Consumers attached: live viewers, the recorder, snapshots.")
    recording: bool = False
    error: str | None = Field(default=None, description="Why the stream failed, without credentials.")
    state_since: datetime | None = None
    updated_at: datetime | None = Field(default=None, description="When the worker last wrote this (stale: the "
                                                                   "video service is not running).")


class VideoCameraRead(BaseModel):
    code: str
    name_kk: str
    name_ru: str
    purpose: str | None
    group: str = Field(description="Camera group: who may see it and how long it is kept.")
    lon: float
    lat: float
    heading_deg: float | None
    health: Health
    lifecycle: Lifecycle
    simulated: bool
    state: CameraState = Field(description="The camera's state: streaming if a stream streams, else the failure "
                                           "of a pulled stream, else idle.")
    fps_in: float | None = Field(default=None, description="Of the streaming stream with the most frames.")
    last_frame_at: datetime | None = None
    distance_m: float | None = Field(default=None, description="From the `near` point, when one was given.")


class CameraPage(BaseModel):
    items: list[VideoCameraRead]
    next_cursor: str | None = Field(description="Pass as `cursor` to get the next page; null at the end.")


class CameraDetail(VideoCameraRead):
    site_code: str | None
    fov_deg: float | None
    range_m: float | None
    has_sub_stream: bool
    recording_mode: RecordingMode = Field(description="The effective mode (the camera's own, else the setting; "
                                                      "off beyond the recorded-cameras limit).")
    retention_days: int
    privacy_masks: int = Field(description="Number of privacy-mask polygons.")
    streams: list[StreamStatusRead] = Field(description="Main and sub stream, as the owning worker reported them.")
    last_segment_at: datetime | None = Field(description="End of the newest recorded segment, if any.")
