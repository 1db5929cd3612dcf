"""Request and response models of the alarm desk."""

from __future__ import annotations

import re
from datetime import datetime, time
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, WithJsonSchema, model_validator
from pydantic_core import PydanticCustomError

from qorgau.alarms.enums import AlarmState, IncidentCategory, Resolution, StepState, Transition
from qorgau.devices.enums import CameraPurpose, DeviceKind, SiteKind, SiteSubtype
from qorgau.devices.schemas import NearestCamera

CODE_PATTERN = r"^[a-z][a-z0-9_]{1,47}$"
Code = Annotated[str, Field(pattern=CODE_PATTERN, description="Stable code, e.g. school_panic.")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
MatchValue = Annotated[str, StringConstraints(min_length=1, max_length=64)]
# The events a rule can react to: what devices and the ingest report, recording storage trouble, video analytics.
RuleEvent = Literal["ingest.panel_event", "ingest.access_event", "ingest.sos_event", "ingest.vendor_event",
                    "devices.health_changed", "video.volume_changed", "video.analytics_event",
                    "roads.plate_hit"]

# A rule's hours are local wall-clock times to the minute (stored as minutes since local midnight), not RFC 3339
# `time` values, which need an offset: the document declares what is accepted and what is returned ("19:00:00").
WALL_CLOCK_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:00)?$"


def _wall_clock(value: Any) -> Any:
    if isinstance(value, time):
        return value
    if not isinstance(value, str) or not re.fullmatch(WALL_CLOCK_PATTERN, value):
        raise PydanticCustomError("alarms.wall_clock", "a local wall-clock time HH:MM or HH:MM:00, without offset")
    return value


WallClock = Annotated[time, BeforeValidator(_wall_clock), WithJsonSchema({
    "type": "string", "pattern": WALL_CLOCK_PATTERN,
    "description": "Local wall-clock time in QORGAU_TIME_ZONE, to the minute: HH:MM or HH:MM:00, no offset.",
})]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Texts(Strict):
    """The same words in Kazakh, Russian and English."""

    kk: Name
    ru: Name
    en: Name


class ProcedureStepRead(Strict):
    key: Code
    text: Texts


class ProcedureRead(Strict):
    code: Code
    title: Texts
    steps: list[ProcedureStepRead]


class RuleFields(Strict):
    """What a rule matches and what alarm it raises; conditions left out match anything."""

    code: Code
    name_kk: Name
    name_ru: Name
    event: RuleEvent = Field(description="The event the rule reacts to.")
    match: dict[Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,40}$")], list[MatchValue]] = Field(
        default_factory=dict,
        description="Payload field → accepted values, e.g. {\"kind\": [\"panic\"], \"zone_kind\": [\"panic\"]}.",
    )
    device_kind: DeviceKind | None = None
    device_purpose: CameraPurpose | None = Field(default=None, description="A camera's purpose.")
    site_kind: SiteKind | None = None
    site_subtype: SiteSubtype | None = Field(default=None, description="e.g. school.")
    active_from: WallClock | None = Field(default=None, description="Local time (QORGAU_TIME_ZONE) the rule starts to "
                                                               "apply; after active_to: past midnight.")
    active_to: WallClock | None = Field(default=None, description="Local time it stops applying (exclusive).")
    priority: int = Field(ge=1, le=255, description="1 is the highest, 255 the lowest.")
    alarm_kind: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,31}$")] = Field(
        description="What happened, as the desk shows it: panic, duress, sos, door_forced, device_offline, tamper…")
    procedure: Code | None = Field(default=None, description="Code of the procedure (SOP) to follow.")
    auto_incident: bool = Field(default=False, description="Open an incident without waiting for an operator.")
    incident_category: IncidentCategory | None = None
    enabled: bool = True

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if (self.active_from is None) != (self.active_to is None):
            raise PydanticCustomError("alarms.hours_incomplete", "give both active_from and active_to, or neither")
        if self.auto_incident and self.incident_category is None:
            raise PydanticCustomError("alarms.category_required", "an automatic incident needs a category")
        if any(not values for values in self.match.values()):
            raise PydanticCustomError("alarms.empty_match", "each match field needs at least one value")
        return self


class RuleRead(RuleFields):
    id: int
    created_at: datetime
    updated_at: datetime


class PlaceNames(Strict):
    """A name in Kazakh, Russian and English (English: the given form, else a transliteration)."""

    kk: str
    ru: str
    en: str


class AlarmPlace(Strict):
    """Where the alarm is, as an operator names it: the site, its address and the zone that reported."""

    site_code: str
    site_kind: SiteKind | None = None
    site_subtype: SiteSubtype | None = None
    name: PlaceNames = Field(description="The site's name, e.g. Школа №10.")
    address: str | None = Field(default=None, description="The site's street address.")
    zone: str | None = Field(default=None, description="The panel zone that reported, e.g. 1.")
    zone_name: PlaceNames | None = Field(default=None, description="Its name, e.g. Пост охраны.")
    area: PlaceNames | None = Field(default=None, description="The settlement it lies in (the detail only).")


class AlarmRead(Strict):
    id: int
    state: AlarmState
    priority: int
    sounds: bool = Field(description="Sounds on the desk (priority within QORGAU_ALARM_SOUND_MAX_PRIORITY).")
    escalation_level: int
    escalated_at: datetime | None
    rule: str
    kind: str
    signal: str = Field(description="What the device said: panic, forced, button_pressed, offline…")
    event_name: str
    procedure: str | None
    incident_category: IncidentCategory | None
    auto_incident: bool
    device_code: str | None
    site_code: str | None
    lon: float | None
    lat: float | None
    details: dict[str, Any]
    count: int
    first_at: datetime
    last_at: datetime
    restored_at: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: int | None
    acknowledged_by_name: str | None
    resolved_at: datetime | None
    resolved_by: int | None
    resolution: Resolution | None
    resolution_note: str | None
    simulated: bool
    allowed: list[Transition] = Field(description="What can be done to it now.")
    place: AlarmPlace | None = Field(default=None, description="The site, address and zone; null without a site.")
    acknowledged_by_label: str | None = Field(default=None, description="Who acknowledged it: name (role).")
    resolved_by_label: str | None = Field(default=None, description="Who resolved it: name (role).")


class StepProgress(Strict):
    key: str
    text: Texts | None = Field(description="Null for a record of a step the procedure no longer has.")
    state: StepState | None = Field(description="Null: not yet done.")
    note: str | None = None
    by_user: int | None = None
    by_name: str | None = None
    by_label: str | None = Field(default=None, description="Name (role) of who did or skipped it.")
    at: datetime | None = None


class Progress(Strict):
    done: int
    skipped: int
    total: int


class AlarmDetail(AlarmRead):
    procedure_title: Texts | None
    steps: list[StepProgress]
    progress: Progress
    cameras: list[NearestCamera] = Field(description="The site's own cameras first (`own_site`), then those that "
                                                 "see the alarm's position, best first, then those near it.")


class ResolveBody(Strict):
    resolution: Resolution
    note: Note | None = None


class StepBody(Strict):
    state: StepState
    note: Note | None = None


class EscalationBracket(Strict):
    up_to_priority: int
    after_s: int


class DeskConfig(Strict):
    """What the operator's desk needs to present alarms."""

    highest_priority: int = 1
    lowest_priority: int = 255
    sound_max_priority: int
    fold_window_s: int
    escalation: list[EscalationBracket]
    time_zone: str
