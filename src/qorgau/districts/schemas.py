"""Request and response shapes of police districts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from qorgau.districts.enums import SetSource


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Reception(Strict):
    """When the inspector receives residents."""

    days: list[int] = Field(default=[0, 1, 2, 3, 4], description="Weekdays, 0 = Monday.")
    start: str = Field(default="17:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$", alias="from")
    end: str = Field(default="20:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$", alias="to")

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Inspector(BaseModel):
    user_id: int
    name: str = Field(description="Surname and initials.")
    username: str


class Balance(BaseModel):
    """How even the districts are: residents per district and per inspector."""

    districts: int
    inspectors: int
    residents: float = Field(description="Residents inside all districts (cells split by area).")
    min: float = Field(description="Fewest residents in a district.")
    max: float
    mean: float
    std: float = Field(description="Standard deviation of residents per district.")
    over_norm: int = Field(description="Districts with more residents per inspector than the norm.")
    norm: int


class DistrictRead(BaseModel):
    """A district as the desks show it."""

    id: int
    number: int
    name_kk: str
    name_ru: str
    name_en: str
    geometry: dict[str, Any]
    residents: float
    inspectors: list[Inspector]
    residents_per_inspector: float | None = Field(description="None when no inspector is assigned.")
    over_norm: bool = Field(description="More residents per inspector than the norm, or no inspector at all.")
    site_code: str | None
    site_name: str | None
    reception: Reception
    contacts: str | None


class SetRead(BaseModel):
    """One dated version of the district set."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    version: int
    valid_from: datetime
    valid_to: datetime | None = Field(default=None, description="When the next version took over; None if current.")
    source: SetSource
    generated: bool
    note: str | None
    created_by: str
    created_at: datetime


class SetDetail(SetRead):
    area: dict[str, Any]
    districts: list[DistrictRead]
    balance: Balance


class WorkloadBalance(BaseModel):
    """How even the districts' workload is: incidents per district over a period."""

    incidents: int = Field(description="Incidents inside all districts over the period.")
    min: int
    max: int
    mean: float
    std: float
    days: int = Field(description="The period: the last this many days.")
    share: float = Field(description="The weight workload had against residents (0 = residents only).")


class ProposalIn(Strict):
    inspectors: int = Field(ge=1, le=200, description="How many districts to draw (one per inspector).")
    workload_share: float | None = Field(
        default=None, ge=0, le=1, description="Weight of workload against residents: each cell weighs "
        "residents_share × (1 − a) + workload_share × a. The setting's value when absent.")
    workload_days: int | None = Field(default=None, ge=1, le=730,
                                      description="Incidents of the last this many days; the setting's when absent.")


class ProposedDistrict(BaseModel):
    number: int
    geometry: dict[str, Any]
    residents: float
    incidents: int = Field(description="Incidents inside over the workload period.")


class Proposal(BaseModel):
    """Proposed boundaries beside today's figures; accept it by posting it to /accept as GeoJSON."""

    districts: list[ProposedDistrict]
    balance: Balance
    current: Balance | None = Field(description="Today's set's balance, for comparison.")
    workload: WorkloadBalance
    current_workload: WorkloadBalance | None = Field(description="Today's set's workload, for comparison.")
    geojson: dict[str, Any] = Field(description="The proposal as a FeatureCollection, ready to accept.")


class AcceptIn(Strict):
    """A new version: a GeoJSON FeatureCollection of districts (properties as the export writes them)."""

    geojson: dict[str, Any]
    valid_from: datetime | None = Field(default=None, description="When it takes effect; now when absent.")
    note: str | None = Field(default=None, max_length=500)
    source: SetSource = SetSource.IMPORT


class CheckIn(Strict):
    """A draft set to check: a GeoJSON FeatureCollection as /accept takes it."""

    geojson: dict[str, Any]


class DistrictMergeIn(Strict):
    """Two districts of a draft to join: ``absorb`` goes into ``keep``."""

    geojson: dict[str, Any]
    keep: int = Field(ge=1, le=9999)
    absorb: int = Field(ge=1, le=9999)


class DraftDistrict(BaseModel):
    number: int
    residents: float
    incidents: int
    inspectors: int
    residents_per_inspector: float | None
    over_norm: bool


class DraftCheck(BaseModel):
    """A draft set checked without saving: every problem, or the figures it would have."""

    valid: bool
    problems: list[dict[str, str]] = Field(description="Each with its code (a translation key), district and facts.")
    districts: list[DraftDistrict] = Field(description="Empty while the polygons cannot be read.")
    balance: Balance | None
    workload: WorkloadBalance | None


class Passport(BaseModel):
    """A district's passport: what the inspector answers for."""

    district: DistrictRead
    social_objects: dict[str, int] = Field(description="Registry sites inside, counted by subtype (schools …).")
    sites: list[dict[str, Any]] = Field(description="Registry sites inside: code, kind, subtype, names, position.")
    cameras: int
    incidents: list[dict[str, Any]] = Field(description="Recent incidents inside, the latest first.")


class DistrictAt(BaseModel):
    set_id: int
    version: int
    district_id: int
    number: int
    name_kk: str
    name_ru: str
    name_en: str
