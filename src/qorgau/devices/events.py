"""Events of the device registry; `devices.health_changed` is the one source of "device offline"."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from qorgau.core.bus import EventPayload, event_type
from qorgau.devices.enums import CameraPurpose, DeviceKind, Health, HealthReason, Lifecycle


class DeviceChanged(EventPayload):
    code: str = Field(description="The device's registry code, e.g. CAM-0123.")
    kind: DeviceKind = Field(description="camera, sos_terminal, alarm_panel or access_point.")
    purpose: CameraPurpose | None = Field(default=None, description="A camera's purpose; null for other kinds.")
    site_code: str | None = Field(default=None, description="Code of the site it belongs to.")
    lifecycle: Lifecycle = Field(description="Lifecycle after the change.")
    changes: list[str] = Field(description="Names of the fields that changed (credentials only by name).")


class HealthChanged(EventPayload):
    code: str = Field(description="The device's registry code.")
    kind: DeviceKind = Field(description="camera, sos_terminal, alarm_panel or access_point.")
    previous: Health = Field(description="Health before the change.")
    current: Health = Field(description="Health after the change.")
    last_seen_at: datetime | None = Field(description="Last heartbeat (UTC), null if never heard from.")
    reason: HealthReason = Field(description="heartbeat, reported_degraded, silent, decommissioned, or a camera's "
                                             "picture: picture_frozen, picture_covered, picture_defocused, "
                                             "picture_moved.")
    detail: str | None = Field(default=None, description="What the device reported, or how long it was silent.")


REGISTERED = event_type(
    "devices.registered", DeviceChanged, subject_type="device",
    description="A device was added to the registry (API, import or seed).",
)
UPDATED = event_type(
    "devices.updated", DeviceChanged, subject_type="device",
    description="A device's registry data changed (position, streams, identifiers, zones, credentials…).",
)
DECOMMISSIONED = event_type(
    "devices.decommissioned", DeviceChanged, subject_type="device",
    description="A device left service; its stream URLs and protocol identifiers were released.",
)
HEALTH_CHANGED = event_type(
    "devices.health_changed", HealthChanged, subject_type="device",
    description=(
        "A device's health changed (online, degraded, offline, unknown), published in the same transaction "
        "as the change: the one source of \"device offline\" for alarm rules."
    ),
)
