"""Events of the video domain: storage trouble for the alarm desk, exports, camera stream states, what the
analytics rules saw."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from qorgau.core.bus import EventPayload, event_type
from qorgau.video.enums import CameraState, ExportState, StreamKind, VolumeState


class StreamStateChanged(EventPayload):
    code: str = Field(description="The camera's registry code.")
    stream: StreamKind = Field(description="main or sub.")
    previous: CameraState = Field(description="State before the change.")
    current: CameraState = Field(description="State after the change.")
    detail: str | None = Field(default=None, description="Why, without credentials (e.g. `RTSP 401`).")


class VolumeChanged(EventPayload):
    name: str = Field(description="The volume's name.")
    previous: VolumeState = Field(description="State before the change.")
    current: VolumeState = Field(description="State after the change.")
    used_bytes: int = Field(description="Bytes of recordings on the volume.")
    quota_bytes: int = Field(description="The volume's quota.")
    detail: str | None = Field(default=None, description="The error, if any.")


class ExportChanged(EventPayload):
    id: str = Field(description="The export's id.")
    state: ExportState = Field(description="pending, running, done or failed.")
    cameras: list[str] = Field(description="Codes of the exported cameras.")
    start_at: datetime = Field(description="Start of the exported range (UTC).")
    end_at: datetime = Field(description="End of the exported range (UTC).")


class AnalyticsEventRaised(EventPayload):
    event_id: int = Field(description="The analytics event's id (its snapshot: `snapshot_url`).")
    code: str = Field(description="The camera's registry code.")
    device_id: int = Field(description="The camera's registry id.")
    rule_id: int | None = Field(default=None, description="The analytics rule that fired.")
    rule: str = Field(description="The rule's name as drawn on the camera (e.g. `School yard at night`).")
    kind: str = Field(description="zone, line, loitering, crowd or stopped_vehicle: what the alarm rules match.")
    label: str | None = Field(default=None, description="The object's class (person, car…); none for a crowd.")
    track_id: int | None = Field(default=None, description="The tracker's id of the object on this camera.")
    count: int | None = Field(default=None, description="Objects in the zone (a crowd).")
    direction: str | None = Field(default=None, description="forward or backward (a line crossing).")
    snapshot_url: str | None = Field(default=None, description="The picture with the box drawn (authenticated).")
    recording_at: datetime = Field(description="The moment to open the camera's recording at (UTC).")


STREAM_STATE_CHANGED = event_type(
    "video.stream_state_changed", StreamStateChanged, subject_type="device",
    description="A camera stream's state changed (connecting, streaming, auth_failed, unreachable, no_video…).",
)
VOLUME_CHANGED = event_type(
    "video.volume_changed", VolumeChanged, subject_type="volume",
    description="A recording volume became full, missing or failing, or recovered: a storage alarm on the desk.",
)
EXPORT_CHANGED = event_type(
    "video.export_changed", ExportChanged, subject_type="export",
    description="An evidence export was requested, finished or failed.",
)
ANALYTICS_EVENT = event_type(
    "video.analytics_event", AnalyticsEventRaised, subject_type="device",
    description="An analytics rule fired on a camera (zone entered, line crossed, loitering, crowd, stopped "
                "vehicle), with its snapshot and the moment in the recording; the alarm rules make it an alarm.",
)
