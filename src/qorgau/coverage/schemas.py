"""Request and response models of the coverage API."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from qorgau.city.enums import Mode


class PolicePointRead(BaseModel):
    code: str
    kind: str = Field(description="police_post (МОП), reception_point (УПП) or situation_center (the department).")
    name_kk: str
    name_ru: str
    name_en: str | None
    lon: float
    lat: float


class ShareRead(BaseModel):
    residents: int
    covered: int
    share: float = Field(description="Covered residents / residents, 0..1.")


class SettlementShare(ShareRead):
    settlement: str


class DistrictShareRead(ShareRead):
    number: int
    name_kk: str
    name_ru: str
    name_en: str


class LevelRead(BaseModel):
    mode: Mode
    minutes: int
    overall: ShareRead
    settlements: list[SettlementShare]
    districts: list[DistrictShareRead] = Field(
        description="Per police district in force (a cell counts where its centre lies); empty before any set.")


class ClusterRead(BaseModel):
    residents: int
    cells: int = Field(description="Populated 100 m cells in the cluster.")
    lon: float = Field(description="Residents-weighted centre.")
    lat: float
    settlement: str | None
    geometry: dict[str, Any] = Field(description="The cluster's 100 m cells as a GeoJSON MultiPolygon.")


class CoverageRead(BaseModel):
    model_id: int
    generated: bool = Field(description="True when the street network and the spread of residents are generated.")
    walk_speed_kmh: float
    points: list[PolicePointRead]
    levels: list[LevelRead] = Field(description="Walking thresholds in ascending order, then the drive-time one.")
    uncovered: list[ClusterRead] = Field(description="Clusters beyond the longest walking threshold, most residents "
                                                     "first (at most 20).")
    seconds: float = Field(description="Time the computation took (a cached result keeps its first figure).")


Lon = Annotated[float, Field(ge=-180, le=180)]
Lat = Annotated[float, Field(ge=-90, le=90)]


class PlacementRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mode: Literal["maximal", "set"] = Field(
        description="maximal: the given number of posts covering the most residents; set: the fewest posts "
                    "covering every resident.")
    posts: int | None = Field(default=None, ge=1, le=100, description="New posts (maximal covering only).")
    minutes: int = Field(default=10, ge=1, le=60, description="Threshold in minutes.")
    travel: Mode = Field(default=Mode.WALK, description="walk (isochrones on foot) or drive (patrol response).")
    candidates: list[tuple[Lon, Lat]] | None = Field(
        default=None, max_length=5000,
        description="Candidate sites as [lon, lat]; default: street nodes near residents, spread evenly.")
    skip_unreachable: bool = Field(
        default=False, description="Set covering: leave out residents no candidate reaches instead of failing.")


class ChosenSiteRead(BaseModel):
    """A site the placement chose for a new post."""

    lon: float
    lat: float


class PlacementRead(BaseModel):
    mode: Literal["maximal", "set"]
    travel: Mode
    minutes: int
    chosen: list[ChosenSiteRead]
    before: ShareRead
    after: ShareRead
    objective: float = Field(description="Residents newly covered (maximal) or posts (set).")
    bound: float = Field(description="The solver's bound on the objective.")
    gap: float = Field(description="Relative optimality gap; 0 when the solution is proven optimal.")
    optimal: bool
    seconds: float
    candidates: int
    demand_points: int = Field(description="Populated cells considered.")
    skipped_residents: int = Field(description="Set covering with skip_unreachable: residents no candidate reaches.")
