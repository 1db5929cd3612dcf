"""API models of recordings: timeline, segment lists, playback sessions, storage status."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from qorgau.video.models import Segment, VolumeStatus


class SpanRead(BaseModel):
    start_at: datetime
    end_at: datetime


class TimelineAlarm(BaseModel):
    id: int
    kind: str
    rule: str
    priority: int
    at: datetime
    device_code: str | None


class TimelineIncident(BaseModel):
    id: int
    number: str
    category: str
    state: str
    at: datetime


class TimelineRead(BaseModel):
    camera: str
    start_at: datetime = Field(description="Start of the asked range.")
    end_at: datetime = Field(description="End of the asked range.")
    recorded: list[SpanRead] = Field(description="Recorded spans (adjacent segments merged), clipped to the range.")
    gaps: list[SpanRead] = Field(description="Parts of the range with no recording.")
    alarms: list[TimelineAlarm] = Field(description="Alarms raised at or near the camera in the range.")
    incidents: list[TimelineIncident] = Field(description="Incidents received near the camera in the range.")


class SegmentRead(BaseModel):
    id: int
    start_at: datetime
    end_at: datetime
    codec: str
    width: int
    height: int
    size: int = Field(description="Bytes of the file as recorded.")

    @classmethod
    def of(cls, segment: Segment) -> SegmentRead:
        return cls(id=segment.id, start_at=segment.start_at, end_at=segment.end_at, codec=segment.codec,
                   width=segment.width, height=segment.height, size=segment.bytes)


class CameraSegments(BaseModel):
    camera: str
    segments: list[SegmentRead]


class PlaybackCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    cameras: list[str] = Field(min_length=1, max_length=16, description="Camera codes.")
    start_at: AwareDatetime = Field(alias="from", description="Start of the range (with a time zone).")
    end_at: AwareDatetime = Field(alias="to", description="End of the range (with a time zone).")
    reason: str | None = Field(default=None, max_length=500, description="Why the recording is watched.")


class PlaybackRead(BaseModel):
    cameras: list[CameraSegments]


class VolumeRead(BaseModel):
    name: str
    path: str
    state: str
    quota_bytes: int
    used_bytes: int
    free_bytes: int | None
    error: str | None
    state_since: datetime
    oldest_at: datetime | None = Field(description="Start of the oldest recording on the volume.")

    @classmethod
    def of(cls, row: VolumeStatus, oldest_at: datetime | None) -> VolumeRead:
        return cls(name=row.name, path=row.path, state=row.state, quota_bytes=row.quota_bytes,
                   used_bytes=row.used_bytes, free_bytes=row.free_bytes, error=row.error,
                   state_since=row.state_since, oldest_at=oldest_at)


class StorageRead(BaseModel):
    volumes: list[VolumeRead]
