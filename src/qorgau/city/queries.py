"""What other domains read of a city model, as plain values: its town, streets, blocks and residents, and the
settlement a point lies in."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qorgau.city import service
from qorgau.city.enums import PlaceKind
from qorgau.city.geometry import LocalProjection, contains_point
from qorgau.city.models import CityEdge, CityNode, CityPlace, PopulationCell
from qorgau.core.errors import QorgauError

AREA_KINDS = (PlaceKind.SETTLEMENT, PlaceKind.MICRODISTRICT, PlaceKind.BLOCK)


@dataclass(frozen=True)
class ModelRef:
    """A city model as other domains see it."""

    id: int
    name: str
    generated: bool
    attrs: dict[str, Any]


@dataclass(frozen=True)
class Street:
    """A drivable street segment between two nodes (``idx`` values), with its class, name and middle point."""

    source: int
    target: int
    highway: str
    name: str | None
    lon: float
    lat: float


@dataclass(frozen=True)
class Area:
    """A place's point and bounding box."""

    lon: float
    lat: float
    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float


def active_model(session: Session) -> ModelRef:
    """The model used by default; 409 `city.no_model` when none has been seeded or imported."""
    model = service.active_model(session)
    return ModelRef(model.id, model.name, model.generated, dict(model.attrs or {}))


def main_settlement(session: Session, model_id: int) -> tuple[float, float] | None:
    """The point of the model's most populous settlement (the town), or None without settlements."""
    town = session.scalars(select(CityPlace).where(CityPlace.model_id == model_id,
                                                   CityPlace.kind == str(PlaceKind.SETTLEMENT))
                           .order_by(CityPlace.population.desc().nulls_last(), CityPlace.id).limit(1)).first()
    return (town.lon, town.lat) if town is not None else None


def nodes(session: Session, model_id: int) -> dict[int, tuple[float, float]]:
    """The street network's nodes: idx → (lon, lat)."""
    rows = session.execute(select(CityNode.idx, CityNode.lon, CityNode.lat).where(CityNode.model_id == model_id))
    return {idx: (lon, lat) for idx, lon, lat in rows}


def drive_streets(session: Session, model_id: int) -> list[Street]:
    """The drivable street segments, in the order they were stored."""
    query = (select(CityEdge.source, CityEdge.target, CityEdge.highway, CityEdge.name, CityEdge.lon, CityEdge.lat)
             .where(CityEdge.model_id == model_id, CityEdge.drive.is_(True)).order_by(CityEdge.id))
    return [Street(*row) for row in session.execute(query)]


@dataclass(frozen=True)
class Road:
    """The drivable segment nearest a point, with its OSM ``maxspeed`` (None where the way has none)."""

    edge_id: int
    highway: str
    name: str | None
    osm_way_id: int | None
    maxspeed_kmh: float | None
    distance_m: float


def road_at(session: Session, model_id: int, lon: float, lat: float, *, within_m: float = 80.0) -> Road | None:
    """The drivable segment nearest the point (distance to the segment, not its middle), within ``within_m``."""
    around = LocalProjection(lon, lat)
    dlat = within_m / 111_000.0 * 4  # segment middles may lie a few times farther than the segment itself
    dlon = dlat / max(math.cos(math.radians(lat)), 0.1)
    rows = session.execute(select(CityEdge.id, CityEdge.source, CityEdge.target, CityEdge.highway, CityEdge.name,
                                  CityEdge.osm_way_id, CityEdge.maxspeed_kmh).where(
        CityEdge.model_id == model_id, CityEdge.drive.is_(True), CityEdge.lon.between(lon - dlon, lon + dlon),
        CityEdge.lat.between(lat - dlat, lat + dlat))).all()
    if not rows:
        return None
    ends = {r.source for r in rows} | {r.target for r in rows}
    points = {idx: (float(px), float(py)) for idx, x, y in session.execute(
        select(CityNode.idx, CityNode.lon, CityNode.lat).where(CityNode.model_id == model_id,
                                                              CityNode.idx.in_(ends)))
              for px, py in [around.to_xy(x, y)]}
    best: Road | None = None
    for row in rows:
        (ax, ay), (bx, by) = points[row.source], points[row.target]
        length2 = (bx - ax) ** 2 + (by - ay) ** 2
        share = min(max((-ax * (bx - ax) - ay * (by - ay)) / length2, 0.0), 1.0) if length2 else 0.0
        distance = math.hypot(ax + share * (bx - ax), ay + share * (by - ay))
        if distance <= within_m and (best is None or distance < best.distance_m):
            best = Road(row.id, row.highway, row.name, row.osm_way_id, row.maxspeed_kmh, float(distance))
    return best


def areas(session: Session, model_id: int, kind: PlaceKind) -> list[Area]:
    """The model's places of one kind (blocks, microdistricts …), in the order they were stored."""
    query = (select(CityPlace.lon, CityPlace.lat, CityPlace.min_lon, CityPlace.min_lat, CityPlace.max_lon,
                    CityPlace.max_lat).where(CityPlace.model_id == model_id, CityPlace.kind == str(kind))
             .order_by(CityPlace.id))
    return [Area(*row) for row in session.execute(query)]


def residents(session: Session, model_id: int) -> list[tuple[float, float, int]]:
    """(lon, lat, residents) of every populated cell, in the order they were stored."""
    query = (select(PopulationCell.lon, PopulationCell.lat, PopulationCell.residents)
             .where(PopulationCell.model_id == model_id).order_by(PopulationCell.id))
    return [(lon, lat, n) for lon, lat, n in session.execute(query)]


def settlement_at(session: Session, lon: float, lat: float) -> str | None:
    """Name of the settlement of the active model the point lies in; None without an active model.

    Settlements may be mapped as points only; then the block or microdistrict containing the point names its
    settlement, and outside every block the nearest settlement is taken (villages are kilometres apart).
    """
    try:
        model = service.active_model(session)
    except QorgauError:
        return None
    containing = session.scalars(select(CityPlace).where(
        CityPlace.model_id == model.id, CityPlace.kind.in_([str(k) for k in AREA_KINDS]),
        CityPlace.min_lon <= lon, CityPlace.max_lon >= lon, CityPlace.min_lat <= lat, CityPlace.max_lat >= lat,
    ).order_by(CityPlace.id))
    for place in containing:
        if place.geometry.get("type") in ("Polygon", "MultiPolygon") and contains_point(place.geometry, lon, lat):
            if place.kind == PlaceKind.SETTLEMENT:
                return place.name
            if place.settlement_id is not None:
                return session.scalar(select(CityPlace.name).where(CityPlace.id == place.settlement_id))
    settlements = session.execute(select(CityPlace.name, CityPlace.lon, CityPlace.lat).where(
        CityPlace.model_id == model.id, CityPlace.kind == str(PlaceKind.SETTLEMENT))).all()
    if not settlements:
        return None
    around = LocalProjection(lon, lat)
    nearest: str = min(settlements, key=lambda row: math.hypot(*around.to_xy(row.lon, row.lat))).name
    return nearest
