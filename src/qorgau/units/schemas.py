"""Request and response shapes of units, dispatch and the unit app."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, field_validator, model_validator

from qorgau.city.enums import Mode
from qorgau.core.translit import english
from qorgau.core.web import MAX_ROW_ID
from qorgau.incidents.schemas import IncidentDetail
from qorgau.units.enums import Progress, Stage, StallFlag, UnitKind, UnitStatus

CODE = r"^[A-Z0-9][A-Z0-9-]{0,31}$"
# A crew member's user id: strictly an integer (`false` is not user 0) within the row ids' range.
MemberId = Annotated[StrictInt, Field(ge=1, le=MAX_ROW_ID)]


def _upper(value: str | None) -> str | None:
    return value.strip().upper() if isinstance(value, str) else value


class UnitFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, description="Call sign or name shown on the board.")
    site_code: str | None = Field(default=None, max_length=32, description="The МОП a post is stationed at.")
    lon: float | None = Field(default=None, ge=-180, le=180, description="Starting position (a post: its МОП).")
    lat: float | None = Field(default=None, ge=-90, le=90)
    members: list[MemberId] = Field(default_factory=list, description="User ids of the crew (unit app sign-in).")
    trackers: list[str] = Field(default_factory=list, description="GPS tracker ids bound to the unit.")
    active: bool = True
    simulated: bool = Field(default=False, description="Driven by the simulator: its moves are flagged simulated.")

    _site = field_validator("site_code", mode="before")(_upper)


class UnitCreate(UnitFields):
    code: str = Field(pattern=CODE, description="e.g. PC-01; upper-cased.")
    kind: UnitKind

    _code = field_validator("code", mode="before")(_upper)


class UnitPatch(BaseModel):
    """Fields left out keep their values; `status` by hand: available, busy or off_duty (not while assigned)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    site_code: str | None = Field(default=None, max_length=32)
    members: list[MemberId] | None = Field(default=None, description="User ids of the crew (unit app sign-in).")
    trackers: list[str] | None = None
    active: bool | None = None
    simulated: bool | None = None
    status: Literal["available", "busy", "off_duty"] | None = None


class UnitRead(BaseModel):
    code: str
    kind: UnitKind
    name: str
    name_en: str = Field(default="", description="The name's English (Latin) form, for the English interface.")
    site_code: str | None
    active: bool
    simulated: bool
    status: UnitStatus
    status_changed_at: datetime
    time_in_status_s: float
    lon: float | None
    lat: float | None
    position_at: datetime | None
    position_age_s: float | None
    stale: bool = Field(description="No position, or older than unit_position_stale_s (posts never).")
    members: list[int]
    trackers: list[str]
    assignment_id: int | None
    incident_id: int | None
    flag: StallFlag | None = Field(default=None, description="Its open assignment looks stalled, and why.")
    flagged_at: datetime | None = Field(default=None, description="Since when.")

    @model_validator(mode="after")
    def _english(self) -> UnitRead:
        if not self.name_en:
            self.name_en = english(None, self.name)  # "Патруль 1" → "Patrul 1"
        return self


class PositionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    at: datetime | None = Field(default=None, description="When the phone took the fix; default now.")
    speed_kmh: float | None = Field(default=None, ge=0)
    heading_deg: float | None = Field(default=None, ge=0, lt=360)


class LineString(BaseModel):
    type: Literal["LineString"] = "LineString"
    coordinates: list[tuple[float, float]]


class RecommendationRead(BaseModel):
    code: str
    kind: UnitKind
    name: str
    mode: Mode = Field(description="drive (cars) or walk (foot patrols, inspectors, posts).")
    eta_s: float
    meters: float
    stale: bool
    position_age_s: float | None
    route: LineString


class DispatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_code: str = Field(min_length=1, max_length=32)


class ReassignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_code: str = Field(min_length=1, max_length=32)
    reason: str | None = Field(default=None, max_length=300)


class DeclineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=300)


class ProgressIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stage: Progress


class AssignmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    unit_code: str
    incident_id: int
    stage: Stage
    active: bool
    dispatched_by: str
    dispatched_at: datetime
    accepted_at: datetime | None
    declined_at: datetime | None
    decline_reason: str | None
    en_route_at: datetime | None
    on_scene_at: datetime | None
    ended_at: datetime | None
    replaced_by: int | None
    eta_s: float | None
    route: dict[str, Any] | None = Field(description="GeoJSON LineString at dispatch.")
    flag: StallFlag | None = Field(default=None, description="The dispatch watch's flag: at_scene_unreported, "
                                                           "not_en_route or eta_passed.")
    flagged_at: datetime | None = None


class MyUnit(BaseModel):
    """What the unit app shows: the unit, its open assignment, and that incident."""

    unit: UnitRead
    assignment: AssignmentRead | None
    incident: IncidentDetail | None
