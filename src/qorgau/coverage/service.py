"""Coverage of residents by police points on foot and by car, with isochrones; placement of new posts."""

# Everything here is derived from an immutable city model and the police sites, so results are cached by the
# model's identity and the exact inputs (points, speed, thresholds): a repeated request costs a dictionary look-up.

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from qorgau.city import service as city_service
from qorgau.city.cache import ModelCache
from qorgau.city.enums import Mode
from qorgau.city.geometry import contains
from qorgau.city.graph import CityGraph
from qorgau.city.models import CityModel
from qorgau.core.errors import QorgauError
from qorgau.coverage import outline, reach
from qorgau.coverage.config import CoverageSettings
from qorgau.devices import queries as device_queries
from qorgau.devices.enums import SiteKind
from qorgau.districts import service as districts_service

ISOCHRONE_CELL_M = 50.0  # fine enough to follow a street, coarse enough to keep the outline small
# Residents walk to a МОП, a reception point (УПП) or the department alike.
POLICE_KINDS = (SiteKind.POLICE_POST, SiteKind.RECEPTION_POINT, SiteKind.SITUATION_CENTER)


@dataclass(frozen=True, slots=True)
class PolicePoint:
    code: str
    kind: str
    name_kk: str
    name_ru: str
    name_en: str | None
    lon: float
    lat: float


@dataclass(frozen=True, slots=True)
class Level:
    """One threshold of one mode: its isochrone, residents covered overall and per settlement."""

    mode: Mode
    minutes: int
    geometry: dict[str, Any]
    overall: reach.Share
    settlements: list[tuple[str, reach.Share]]
    covered: reach.Bools  # per demand cell, for breakdowns by area (police districts)


@dataclass(frozen=True, slots=True)
class DistrictShare:
    number: int
    name_kk: str
    name_ru: str
    name_en: str
    share: reach.Share


@dataclass(frozen=True, slots=True)
class Coverage:
    model_id: int
    generated: bool
    points: list[PolicePoint]
    walk_speed_kmh: float
    walk: list[Level]
    drive: Level
    uncovered: list[reach.Cluster]  # beyond the longest walking threshold
    seconds: float


def _demand(session: Session, model_id: int) -> tuple[CityGraph, reach.Demand]:
    model = session.get(CityModel, model_id)
    if model is None:
        raise QorgauError("city.no_model", status=409)
    graph = city_service.graph(session, model)
    rows = city_service.population_page(session, model=model, bbox=None, after_id=None, limit=10**8)
    cells = [(c.lon, c.lat, c.gx, c.gy, c.residents, name) for c, name in rows]
    return graph, reach.build_demand(graph, cells)


DEMAND: ModelCache[tuple[CityGraph, reach.Demand]] = ModelCache(_demand)


class _Results:
    """The few most recent coverage results by their inputs."""

    def __init__(self, size: int = 8) -> None:
        self._items: OrderedDict[Hashable, Coverage] = OrderedDict()
        self._lock = threading.Lock()
        self.size = size

    def get(self, key: Hashable) -> Coverage | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: Hashable, value: Coverage) -> None:
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


RESULTS = _Results()


def cluster_geometry(demand: reach.Demand, cluster: reach.Cluster) -> dict[str, Any]:
    """A cluster's cells as a GeoJSON MultiPolygon: the grid's indices map linearly to lon and lat (the grid is laid
    out in a local equirectangular plane), so a fit on the model's own cells places the squares' corners."""
    cells = cluster.cells
    gx, gy = demand.gx[cells], demand.gy[cells]
    mask = np.zeros((int(gy.max() - gy.min()) + 1, int(gx.max() - gx.min()) + 1), dtype=bool)
    mask[gy - gy.min(), gx - gx.min()] = True
    (b_lon, a_lon), (b_lat, a_lat) = _grid_fit(demand)
    x0, y0 = float(gx.min()) - 0.5, float(gy.min()) - 0.5  # a square's corner is half a cell from its centre
    coordinates = [[[[round(a_lon + b_lon * (x + x0), 6), round(a_lat + b_lat * (y + y0), 6)] for x, y in ring]
                    for ring in polygon] for polygon in outline.polygons(mask)]
    return {"type": "MultiPolygon", "coordinates": coordinates}


def _grid_fit(demand: reach.Demand) -> tuple[tuple[float, float], tuple[float, float]]:
    if len(set(demand.gx.tolist())) < 2 or len(set(demand.gy.tolist())) < 2:
        return (0.0, 0.0), (0.0, 0.0)
    lon = np.polyfit(demand.gx.astype(np.float64), demand.lon, 1)
    lat = np.polyfit(demand.gy.astype(np.float64), demand.lat, 1)
    return (float(lon[0]), float(lon[1])), (float(lat[0]), float(lat[1]))


def police_points(session: Session) -> list[PolicePoint]:
    """Every police point residents walk to: МОП posts and the department (its situation centre)."""
    return [PolicePoint(code=s.code, kind=str(s.kind), name_kk=s.name_kk, name_ru=s.name_ru, name_en=s.name_en,
                        lon=s.lon, lat=s.lat)
            for kind in POLICE_KINDS for s in device_queries.sites_of_kind(session, kind)]


def model_inputs(session: Session) -> tuple[CityModel, CityGraph, reach.Demand]:
    """The active model with its graphs and residents' cells (both cached per model)."""
    model = city_service.active_model(session)
    graph, demand = DEMAND.get(session, model.id, model.created_at.isoformat())
    return model, graph, demand


def _level(graph: CityGraph, demand: reach.Demand, mode: Mode, times: reach.Floats, factor: float, minutes: int,
           grid: outline.Grid) -> Level:
    budget = minutes * 60.0
    covered = reach.cell_times(demand, mode, times, factor) <= budget
    overall, per_settlement = reach.shares(demand, covered)
    # The raster works in graph seconds, the weights' own unit.
    mask = outline.reached_mask(graph, graph.modes[mode], times / factor, budget / factor, grid)
    return Level(mode=mode, minutes=minutes, geometry=outline.to_geojson(mask, grid, graph), overall=overall,
                 settlements=per_settlement, covered=covered)


def compute(graph: CityGraph, demand: reach.Demand, points: list[PolicePoint], *, model_id: int, generated: bool,
            settings: CoverageSettings) -> Coverage:
    """Isochrones and coverage for the given police points (no cache)."""
    started = time.perf_counter()
    lons = np.array([p.lon for p in points], dtype=np.float64)
    lats = np.array([p.lat for p in points], dtype=np.float64)
    grid = outline.Grid.over(graph, ISOCHRONE_CELL_M)
    minutes = sorted(set(settings.coverage_walk_minutes))
    walk_factor = reach.speed_factor(Mode.WALK, settings.coverage_walk_speed_kmh)
    walk_times = reach.node_times(graph, Mode.WALK, lons, lats, factor=walk_factor, limit_s=minutes[-1] * 60.0)
    walk = [_level(graph, demand, Mode.WALK, walk_times, walk_factor, m, grid) for m in minutes]
    drive_s = settings.coverage_drive_minutes * 60.0
    drive_times = reach.node_times(graph, Mode.DRIVE, lons, lats, factor=1.0, limit_s=drive_s)
    drive = _level(graph, demand, Mode.DRIVE, drive_times, 1.0, settings.coverage_drive_minutes, grid)
    longest = reach.cell_times(demand, Mode.WALK, walk_times, walk_factor) <= minutes[-1] * 60.0
    return Coverage(model_id=model_id, generated=generated, points=points,
                    walk_speed_kmh=settings.coverage_walk_speed_kmh, walk=walk, drive=drive,
                    uncovered=reach.uncovered_clusters(demand, longest), seconds=time.perf_counter() - started)


def coverage(session: Session, *, settings: CoverageSettings) -> Coverage:
    """Coverage of the active model by today's police points, computed once per model, points and settings."""
    model, graph, demand = model_inputs(session)
    points = police_points(session)
    key = (str(session.get_bind().engine.url), model.id, model.created_at.isoformat(),
           tuple((p.code, round(p.lon, 7), round(p.lat, 7)) for p in points), settings.coverage_walk_speed_kmh,
           tuple(settings.coverage_walk_minutes), settings.coverage_drive_minutes)
    found = RESULTS.get(key)
    if found is None:
        found = compute(graph, demand, points, model_id=model.id, generated=model.generated, settings=settings)
        RESULTS.put(key, found)
    return found


_MEMBERSHIP: OrderedDict[Hashable, tuple[list[DistrictShare], reach.Ints]] = OrderedDict()
_MEMBERSHIP_LOCK = threading.Lock()


def _membership(session: Session, demand: reach.Demand) -> tuple[list[DistrictShare], reach.Ints]:
    """The districts in force (empty before any set is accepted) and each cell's district by its centre."""
    district_set = districts_service.current(session)
    if district_set is None:
        return [], np.full(len(demand.residents), -1, dtype=np.int64)
    key = (str(session.get_bind().engine.url), district_set.id, len(demand.residents))
    with _MEMBERSHIP_LOCK:
        found = _MEMBERSHIP.get(key)
    if found is None:
        districts = sorted(district_set.districts, key=lambda d: d.number)
        owner = np.full(len(demand.residents), -1, dtype=np.int64)
        for k, district in enumerate(districts):
            owner[(owner < 0) & contains(district.geometry, demand.lon, demand.lat)] = k
        empty = reach.Share(0.0, 0.0)
        found = ([DistrictShare(d.number, d.name_kk, d.name_ru, d.name_en, empty) for d in districts], owner)
        with _MEMBERSHIP_LOCK:
            _MEMBERSHIP[key] = found
            while len(_MEMBERSHIP) > 8:
                _MEMBERSHIP.popitem(last=False)
    return found


def district_shares(session: Session, level: Level) -> list[DistrictShare]:
    """Residents covered at one level per police district in force (a cell counts where its centre lies)."""
    _, _, demand = model_inputs(session)
    districts, owner = _membership(session, demand)
    if not districts:
        return []
    weights = demand.residents
    inside = owner >= 0
    total = np.bincount(owner[inside], weights=weights[inside], minlength=len(districts))
    hit = inside & level.covered
    got = np.bincount(owner[hit], weights=weights[hit], minlength=len(districts))
    return [DistrictShare(d.number, d.name_kk, d.name_ru, d.name_en, reach.Share(float(total[k]), float(got[k])))
            for k, d in enumerate(districts)]
