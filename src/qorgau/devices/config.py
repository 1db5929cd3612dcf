"""Defaults of the device registry: supervision intervals and camera optics, each described."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from qorgau.devices.enums import CameraPurpose, DeviceKind


class CameraOptics(BaseModel):
    """Field of view and useful range assumed for a camera that does not state its own."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    fov_deg: float = Field(gt=0, le=360, title="Field of view", description="Horizontal angle in degrees.")
    range_m: float = Field(gt=0, title="Useful range", description="Distance in metres at which it identifies.")


class DevicesConfig(BaseModel):
    """Registry defaults; a device's own supervision interval or optics override them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    supervision_check_s: float = Field(
        default=15.0, gt=0, title="Supervision check",
        description="How often the server looks for devices silent past their interval.",
    )
    supervision_interval_s: dict[DeviceKind, int] = Field(
        # Cameras are probed by the video workers every minute; SIP terminals re-register every few minutes;
        # DC-09 panels at schools send a supervision message at least every 5 minutes (EN 50136 SP4 grade).
        default={DeviceKind.CAMERA: 180, DeviceKind.SOS_TERMINAL: 600, DeviceKind.ALARM_PANEL: 300,
                 DeviceKind.ACCESS_POINT: 600},
        title="Supervision interval by kind",
        description="Seconds without a heartbeat after which a device of this kind is offline.",
    )
    optics: dict[CameraPurpose, CameraOptics] = Field(
        default={
            CameraPurpose.PUBLIC_SPACE: CameraOptics(fov_deg=90, range_m=60),
            CameraPurpose.YARD: CameraOptics(fov_deg=100, range_m=40),
            CameraPurpose.INTERSECTION: CameraOptics(fov_deg=70, range_m=80),
            CameraPurpose.SPEED: CameraOptics(fov_deg=20, range_m=100),
            CameraPurpose.CITY_ENTRY_ANPR: CameraOptics(fov_deg=30, range_m=40),
            CameraPurpose.SOCIAL_OBJECT: CameraOptics(fov_deg=95, range_m=40),
            CameraPurpose.POLICE_POST: CameraOptics(fov_deg=90, range_m=50),
            CameraPurpose.SITUATION_CENTER: CameraOptics(fov_deg=90, range_m=40),
        },
        title="Camera optics by purpose",
        description="Field of view and range used when a camera does not state them.",
    )

    def interval_for(self, kind: DeviceKind | str, own: int | None) -> int:
        return own if own is not None else self.supervision_interval_s[DeviceKind(kind)]

    def optics_for(self, purpose: CameraPurpose | str | None) -> CameraOptics:
        return self.optics[CameraPurpose(purpose or CameraPurpose.PUBLIC_SPACE)]


DEFAULTS = DevicesConfig()
