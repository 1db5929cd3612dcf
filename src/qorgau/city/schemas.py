"""Response models of the city domain (its routes take only query parameters, parsed strictly in views.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from qorgau.city.enums import Mode, PlaceKind


class CityModelRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    source: str = Field(description='"generated" for a generated model, "osm:<file>" for an imported extract.')
    licence: str
    generated: bool = Field(description="True when streets and layout are generated, not surveyed: say so.")
    active: bool
    node_count: int
    edge_count: int
    place_count: int
    cell_count: int
    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float
    attrs: dict[str, Any]
    created_at: datetime


class PlaceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: PlaceKind
    name: str
    name_kk: str | None
    name_ru: str | None
    name_en: str | None
    settlement_id: int | None
    lon: float
    lat: float
    population: int | None
    generated: bool
    attrs: dict[str, Any]


class PlaceDetail(PlaceRead):
    geometry: dict[str, Any]


class GeocodeRead(BaseModel):
    lon: float
    lat: float
    label: str
    kind: Literal["settlement", "microdistrict", "street", "address", "coordinates"]
    generated: bool = Field(description="True when the point comes from generated data (e.g. a generated street).")


class LineString(BaseModel):
    type: Literal["LineString"] = "LineString"
    coordinates: list[tuple[float, float]]


class RouteRead(BaseModel):
    mode: Mode
    seconds: float = Field(description="Travel time, the legs between the points and the network included.")
    meters: float
    generated: bool = Field(description="True when routed over a generated street network.")
    geometry: LineString


class PopulationCellRead(BaseModel):
    id: int
    lon: float = Field(description="Centre of the 100 m cell.")
    lat: float
    residents: int
    settlement: str | None
    generated: bool = Field(description="True: the total is official, its spread over cells is generated.")


class _Query(BaseModel):
    """Query parameters; unknown ones are refused like unknown body fields."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    model: str | None = Field(default=None, max_length=100, description="Model name; default: the active model.")


class PageQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=50, ge=1, le=500)


class MapQuery(_Query):
    layers: str = Field(default="boundary,settlements,microdistricts,streets,blocks", max_length=200,
                        description="Comma-separated: boundary, settlements, microdistricts, streets, blocks.")
    bbox: str | None = Field(default=None, max_length=200, description="minlon,minlat,maxlon,maxlat")


class GeocodeQuery(_Query):
    q: str = Field(min_length=1, max_length=200, description='"Советская 12", "4 мкр", "Бөрлі", "51.17, 53.01"')


class RouteQuery(_Query):
    start: str = Field(alias="from", max_length=100, description="lon,lat")
    end: str = Field(alias="to", max_length=100, description="lon,lat")
    mode: Mode = Mode.DRIVE


class PlacesQuery(_Query):
    kind: PlaceKind | None = None
    q: str | None = Field(default=None, max_length=200, description="A name in any spelling (kk, ru, Latin).")
    bbox: str | None = Field(default=None, max_length=200, description="minlon,minlat,maxlon,maxlat")
    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=50, ge=1, le=500)


class PopulationQuery(_Query):
    bbox: str | None = Field(default=None, max_length=200, description="minlon,minlat,maxlon,maxlat")
    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=2000, ge=1, le=10_000)
