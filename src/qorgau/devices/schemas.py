"""Request and response models of the device registry."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Self
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from qorgau.core.translit import english
from qorgau.devices.enums import (
    CameraPurpose,
    DeviceKind,
    Health,
    Lifecycle,
    Protocol,
    SiteKind,
    SiteSubtype,
    ZoneKind,
)

CODE_PATTERN = r"^[A-Z0-9][A-Z0-9_-]{1,31}$"
STREAM_SCHEMES = frozenset({"rtsp", "rtsps", "http", "https"})
HEX_KEY_LENGTHS = frozenset({32, 48, 64})  # AES-128/192/256 keys of DC-09 encryption, in hex


def _upper(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


def _stream_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme.lower() not in STREAM_SCHEMES or not parts.hostname or any(c.isspace() for c in value):
        raise PydanticCustomError("devices.bad_url", "not an rtsp, rtsps, http or https URL")
    if parts.username is not None or parts.password is not None:
        # Credentials inside URLs would be returned and exported in clear: they belong in username/password.
        raise PydanticCustomError("devices.credentials_in_url", "put credentials in username/password, not the URL")
    return value


Code = Annotated[str, BeforeValidator(_upper), Field(pattern=CODE_PATTERN, description="Stable code, e.g. CAM-0123.")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
StreamUrl = Annotated[str, Field(max_length=500), AfterValidator(_stream_url)]
Hex6 = Annotated[str, BeforeValidator(_upper), Field(pattern=r"^[0-9A-F]{1,6}$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Dc09Id(Strict):
    """A DC-09 receiver number, line prefix and account: unique as a triple."""

    receiver: Hex6
    line: Hex6
    account: Annotated[str, BeforeValidator(_upper), Field(pattern=r"^[0-9A-F]{3,16}$")]

    @property
    def value(self) -> str:
        return f"{self.receiver}/{self.line}/{self.account}"

    @classmethod
    def parse(cls, value: str) -> Dc09Id:
        receiver, line, account = value.split("/")
        return cls(receiver=receiver, line=line, account=account)


class Identifiers(Strict):
    """How each protocol names the device; each unique per protocol across the registry."""

    dc09: Dc09Id | None = None
    mqtt_client_id: str | None = Field(default=None, pattern=r"^[\x21-\x7e]{1,128}$")
    sip_user: str | None = Field(default=None, pattern=r"^[A-Za-z0-9._+-]{1,64}$")

    def by_protocol(self) -> dict[Protocol, str]:
        found = {Protocol.DC09: self.dc09.value if self.dc09 else None, Protocol.MQTT: self.mqtt_client_id,
                 Protocol.SIP: self.sip_user}
        return {protocol: value for protocol, value in found.items() if value is not None}


class Zone(Strict):
    """A zone of an alarm panel: panic buttons are zones of kind `panic`."""

    number: int = Field(ge=1, le=9999)
    kind: ZoneKind
    name: str = Field(min_length=1, max_length=200, pattern=r"^[^;\r\n]+$")


class DeviceFields(Strict):
    """The whole registry state of a device (what create and import set; credentials apart)."""

    code: Code
    kind: DeviceKind
    purpose: CameraPurpose | None = Field(default=None, description="Cameras only.")
    name_kk: Name
    name_ru: Name
    name_en: Name | None = Field(default=None, description="English name; null: a transliteration is shown.")
    site_code: Annotated[str, BeforeValidator(_upper), Field(pattern=CODE_PATTERN)] | None = None
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False, description="WGS84 longitude.")
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False, description="WGS84 latitude.")
    heading_deg: float | None = Field(default=None, ge=0, lt=360, allow_inf_nan=False,
                                      description="Compass direction the camera faces; null: turns (PTZ).")
    fov_deg: float | None = Field(default=None, gt=0, le=360, allow_inf_nan=False)
    range_m: float | None = Field(default=None, gt=0, le=5000, allow_inf_nan=False)
    stream_main: StreamUrl | None = None
    stream_sub: StreamUrl | None = None
    lifecycle: Lifecycle = Lifecycle.PLANNED
    supervision_interval_s: int | None = Field(default=None, ge=10, le=7 * 86400,
                                               description="Null: the default of the device's kind.")
    identifiers: Identifiers = Field(default_factory=Identifiers)
    dc09_local_time: bool = Field(default=False, description="The DC-09 panel stamps frames with local time, "
                                                             "not UTC (alarm panels only).")
    zones: list[Zone] = Field(default_factory=list, description="Alarm panels only.")
    generated: bool = Field(default=False, description="Generated (simulated) data, not a surveyed device.")
    simulated: bool = Field(default=False, description="Driven by the simulator: its events, and the alarms and "
                                                       "incidents they cause, are flagged simulated.")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        camera = self.kind == DeviceKind.CAMERA
        if camera and self.purpose is None:
            raise PydanticCustomError("devices.purpose_required", "a camera needs a purpose")
        if not camera and self.purpose is not None:
            raise PydanticCustomError("devices.purpose_not_camera", "only cameras have a purpose")
        if not camera and any(v is not None for v in (self.heading_deg, self.fov_deg, self.range_m)):
            raise PydanticCustomError("devices.optics_not_camera", "only cameras have heading, field of view, range")
        if self.zones and self.kind != DeviceKind.ALARM_PANEL:
            raise PydanticCustomError("devices.zones_not_panel", "only alarm panels have zones")
        if len({zone.number for zone in self.zones}) != len(self.zones):
            raise PydanticCustomError("devices.duplicate_zone", "two zones have the same number")
        if self.stream_main is not None and self.stream_main == self.stream_sub:
            raise PydanticCustomError("devices.same_stream", "main and sub stream are the same URL")
        if self.lifecycle == Lifecycle.DECOMMISSIONED:
            # A retired device releases its streams and identifiers for the equipment that replaces it.
            self.stream_main = self.stream_sub = None
            self.identifiers = Identifiers()
        return self


def _dc09_key(value: str | None) -> str | None:
    if value is not None and (len(value) not in HEX_KEY_LENGTHS or any(c not in "0123456789abcdefABCDEF"
                                                                       for c in value)):
        raise PydanticCustomError("devices.bad_key", "a DC-09 key is 32, 48 or 64 hex digits")
    return value


Secret = Annotated[str | None, Field(default=None, max_length=200)]
Dc09Key = Annotated[str | None, AfterValidator(_dc09_key), Field(default=None, description="Never returned.")]


class DeviceSecrets(Strict):
    """Write-only credentials: stored encrypted, never returned or exported."""

    username: Secret = None
    password: Secret = None
    dc09_key: Dc09Key = None


class DeviceCreate(DeviceFields):
    username: Secret = None
    password: Secret = None
    dc09_key: Dc09Key = None


class DevicePatch(Strict):
    """Fields to change; leave a field out to keep it. Null clears an optional field."""

    kind: DeviceKind | None = None
    purpose: CameraPurpose | None = None
    name_kk: Name | None = None
    name_ru: Name | None = None
    name_en: Name | None = None
    site_code: str | None = None
    lon: float | None = None
    lat: float | None = None
    heading_deg: float | None = None
    fov_deg: float | None = None
    range_m: float | None = None
    stream_main: str | None = None
    stream_sub: str | None = None
    lifecycle: Lifecycle | None = None
    supervision_interval_s: int | None = None
    identifiers: Identifiers | None = None
    dc09_local_time: bool | None = None
    zones: list[Zone] | None = None
    simulated: bool | None = None
    username: Secret = None
    password: Secret = None
    dc09_key: Dc09Key = None


SECRET_FIELDS = ("username", "password", "dc09_key")


class DeviceRead(BaseModel):
    code: str
    kind: DeviceKind
    purpose: CameraPurpose | None
    name_kk: str
    name_ru: str
    name_en: str = Field(description="The English name given, else a transliteration of the Russian one.")
    site_code: str | None
    site_name_kk: str | None
    site_name_ru: str | None
    site_name_en: str | None = None
    lon: float
    lat: float
    heading_deg: float | None
    fov_deg: float | None
    range_m: float | None
    stream_main: str | None
    stream_sub: str | None
    lifecycle: Lifecycle
    supervision_interval_s: int | None
    identifiers: Identifiers
    dc09_local_time: bool
    zones: list[Zone]
    generated: bool
    simulated: bool
    health: Health
    last_seen_at: datetime | None
    health_changed_at: datetime | None
    effective_supervision_interval_s: int
    has_credentials: bool = Field(description="Username or password stored (never returned).")
    has_dc09_key: bool = Field(description="A DC-09 encryption key is stored (never returned).")
    created_at: datetime
    updated_at: datetime
    decommissioned_at: datetime | None


class Summary(BaseModel):
    """Counts for the map's layers: devices in service by kind, purpose and health; all by lifecycle."""

    total: int
    by_kind: dict[str, int]
    by_purpose: dict[str, int]
    by_health: dict[str, int]
    by_lifecycle: dict[str, int]


class Heartbeat(Strict):
    status: Health = Field(default=Health.ONLINE, description="online or degraded.")
    detail: str | None = Field(default=None, max_length=200, description="What is wrong when degraded.")

    @model_validator(mode="after")
    def _reportable(self) -> Self:
        if self.status not in (Health.ONLINE, Health.DEGRADED):
            raise PydanticCustomError("devices.bad_heartbeat", "a heartbeat reports online or degraded")
        return self


class HeartbeatRead(BaseModel):
    code: str
    health: Health
    last_seen_at: datetime | None
    offline_after: datetime | None


class NearestCamera(BaseModel):
    code: str
    name_kk: str
    name_ru: str
    name_en: str = ""
    site_code: str | None = None
    own_site: bool = Field(default=False, description="One of the cameras of the site the question is about: "
                                                       "listed first whether or not it sees the point.")
    sees: bool = Field(default=True, description="The point is in range and in the field of view; false for a "
                                                 "camera that only stands near it.")
    purpose: CameraPurpose
    health: Health
    lon: float
    lat: float
    distance_m: float = Field(description="From the camera to the point.")
    bearing_deg: float = Field(description="Compass bearing from the camera to the point.")
    off_axis_deg: float = Field(description="Angle between the camera's heading and the point; 0 for PTZ.")
    score: float = Field(description="0–1, higher is better: 0.6 × nearness + 0.4 × centredness in the view; "
                                     "0 for a camera that does not see the point.")


class SiteFields(Strict):
    code: Code
    kind: SiteKind
    subtype: SiteSubtype | None = Field(default=None, description="Social objects only.")
    name_kk: Name
    name_ru: Name
    name_en: Name | None = Field(default=None, description="English name; null: a transliteration is shown.")
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False)
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    address: str | None = Field(default=None, max_length=300)
    generated: bool = False

    @model_validator(mode="after")
    def _subtype(self) -> Self:
        if (self.kind == SiteKind.SOCIAL_OBJECT) != (self.subtype is not None):
            raise PydanticCustomError("devices.site_subtype", "social objects, and only they, have a subtype")
        return self


class SitePatch(Strict):
    name_kk: Name | None = None
    name_ru: Name | None = None
    name_en: Name | None = None
    subtype: SiteSubtype | None = None
    lon: float | None = None
    lat: float | None = None
    address: str | None = None


class SiteRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    kind: SiteKind
    subtype: SiteSubtype | None
    name_kk: str
    name_ru: str
    name_en: str = Field(description="The English name given, else a transliteration of the Russian one.")
    lon: float
    lat: float
    address: str | None
    generated: bool
    created_at: datetime
    updated_at: datetime

    @model_validator(mode="before")
    @classmethod
    def _english(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {**data, "name_en": english(data.get("name_en"), data.get("name_ru"), data.get("name_kk"))}
        return {name: getattr(data, name) for name in cls.model_fields if name != "name_en"} | {
            "name_en": english(getattr(data, "name_en", None), data.name_ru, data.name_kk)}


class ImportResult(BaseModel):
    created: int
    updated: int
    unchanged: int

