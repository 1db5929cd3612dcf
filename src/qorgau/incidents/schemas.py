"""Request and response shapes of incidents."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from qorgau.alarms.schemas import AlarmPlace, PlaceNames
from qorgau.auth.people import PersonRead
from qorgau.incidents.enums import IncidentState, LinkKind, Source, TimelineEvent

Text = Field(default=None, max_length=4000)


class IncidentCreate(BaseModel):
    """A new incident: by hand, from an alarm (`alarm_id`), or from a 102 call (`source: call`, caller, address)."""

    model_config = ConfigDict(extra="forbid")

    category: str | None = Field(default=None, max_length=32,
                                 description="Category code; from an alarm, the rule's suggestion when left out.")
    priority: int | None = Field(default=None, ge=1, le=255, description="Default: the category's.")
    source: Literal["call", "manual"] = Field(default="manual", description="Ignored when alarm_id is given.")
    alarm_id: int | None = Field(default=None, ge=1, description="Open the incident from this alarm.")
    caller_name: str | None = Field(default=None, max_length=200, description="Personal data: stored encrypted.")
    caller_phone: str | None = Field(default=None, max_length=32, pattern=r"^[0-9+()\- ]{3,32}$",
                                     description="Personal data: stored encrypted.")
    address: str | None = Field(default=None, max_length=300,
                                description="Geocoded on the active city model when lon/lat are not given.")
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    description: str | None = Text
    received_at: datetime | None = Field(default=None, description="When the call came in; default now.")
    simulated: bool = Field(default=False, description="Made by the simulator or a drill: left out of metrics.")

    @model_validator(mode="after")
    def _both_coordinates(self) -> IncidentCreate:
        if (self.lon is None) != (self.lat is None):
            raise ValueError("give both lon and lat, or neither")
        return self


class TransitionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: IncidentState
    reason: str | None = Field(default=None, max_length=300)


class MergeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    into: int = Field(ge=1, description="The incident this one repeats: it stays, this one is closed as merged.")


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=4000)


class CategoryRead(BaseModel):
    code: str
    name: str = Field(description="In the request's language.")
    default_priority: int


class IncidentRead(BaseModel):
    """An incident on the board (no personal data)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    number: str
    category: str
    priority: int
    state: IncidentState
    source: Source
    alarm_id: int | None
    address: str | None
    lon: float | None
    lat: float | None
    area: str | None
    description: str | None
    simulated: bool
    received_at: datetime
    acknowledged_at: datetime | None
    dispatched_at: datetime | None
    en_route_at: datetime | None
    on_scene_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    state_changed_at: datetime
    units_active: int = Field(default=0, description="Units sent and not yet released (dispatched … on scene).")
    units_en_route: int = Field(default=0, description="Units en route or on scene.")
    units_on_scene: int = Field(default=0, description="Units on scene.")
    units_stalled: int = Field(default=0, description="Units whose dispatch looks stalled (see the units' flag).")
    uncovered_at: datetime | None = Field(default=None, description="Since when no unit covers it: its last unit "
                                          "declined or was released; cleared when another is sent.")
    uncovered_reason: str | None = Field(default=None, description="The crew's reason when it declined.")
    merged_into_id: int | None = Field(default=None, description="A duplicate closed as merged into that incident.")
    allowed: list[IncidentState] = Field(default_factory=list, description="States a person may move it to now.")
    area_names: PlaceNames | None = Field(default=None, description="`area` in kk, ru and en.")


class TransitionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    from_state: IncidentState | None
    to_state: IncidentState
    at: datetime
    actor: str = Field(description="`user:<id>`, `unit:<code>` or `system:<component>`.")
    reason: str | None
    event: TimelineEvent | None = Field(default=None, description="What a unit did that the entry records "
                                        "(unit_declined: reason is the crew's); the state may be unchanged.")


class NoteRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    author: str
    text: str


class LinkRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: LinkKind
    ref: str = Field(description="Alarm id, camera code or unit code.")
    at: datetime
    actor: str


class CameraRead(BaseModel):
    code: str
    name_kk: str
    name_ru: str
    name_en: str = ""
    lon: float
    lat: float
    distance_m: float
    score: float
    own_site: bool = Field(default=False, description="A camera of the site of the incident's alarm.")
    sees: bool = Field(default=True, description="False for a camera that only stands near the place.")


class IncidentDetail(IncidentRead):
    """One incident with its timeline, links and the cameras that can see it; caller only with incidents:write."""

    caller_name: str | None = None
    caller_phone: str | None = None
    transitions: list[TransitionRead] = Field(default_factory=list)
    notes: list[NoteRead] = Field(default_factory=list)
    links: list[LinkRead] = Field(default_factory=list)
    cameras: list[CameraRead] = Field(default_factory=list)
    place: AlarmPlace | None = Field(default=None, description="The site of the alarm it was opened from.")
    people: dict[str, PersonRead] = Field(default_factory=dict, description="The people among the timeline's "
                                          "actors, by actor id (user:33 → Ахметова А. (operator)).")


class StageFigures(BaseModel):
    count: int = Field(description="Incidents that reached the stage.")
    p50_s: float | None
    p90_s: float | None
    target_s: int | None = Field(default=None, description="The configured target, where there is one.")
    within_target: float | None = Field(default=None, description="Share (0–1) reaching it within the target.")


class ResponseGroup(BaseModel):
    key: str = Field(description="`all`, a category code, or an area (settlement) name.")
    incidents: int
    acknowledged: StageFigures = Field(description="received → acknowledged (alarm incidents).")
    dispatched: StageFigures = Field(description="received → first unit dispatched.")
    on_scene: StageFigures = Field(description="received → first unit on scene.")
    closed: StageFigures = Field(description="received → closed.")


class ResponseMetrics(BaseModel):
    start: datetime
    end: datetime
    include_simulated: bool
    overall: ResponseGroup
    by_category: list[ResponseGroup]
    by_area: list[ResponseGroup]
