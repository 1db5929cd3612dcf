"""Statistics glue: the cube of the request's engine, filters by label, populations, grids and cameras.

Read-only: nothing here writes, so nothing here is audited.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum

import numpy as np
from sqlalchemy.orm import Session

from qorgau.city import service as city_service
from qorgau.city.enums import PlaceKind
from qorgau.core.errors import QorgauError
from qorgau.devices import queries as device_queries
from qorgau.districts import service as district_service
from qorgau.statistics import cameras, hotspots, measures
from qorgau.statistics.config import StatisticsSettings
from qorgau.statistics.cube import Cube
from qorgau.statistics.schemas import StatsPopulationSource
from qorgau.statistics.source import CubeStore, store_for

# Hour bands of the three-level classification: night, morning, day, evening (local time).
BANDS: tuple[tuple[int, int], ...] = ((0, 6), (6, 12), (12, 18), (18, 24))
NOTHING = -1  # a code no row has: a filter on a label the cube has never seen matches nothing
CAMERA_KIND = "camera"


class GridName(StrEnum):
    SETTLEMENT = "settlement"  # the town the police districts cover (Aksai) at stats_settlement_cell_m
    AREA = "area"  # the whole district at stats_area_cell_m
    DISTRICTS = "districts"  # the police districts in force as units (statistics.units)


@dataclass(frozen=True)
class Filters:
    """Labels to keep per dimension (empty: all)."""

    district: Sequence[int] = ()
    settlement: Sequence[str] = ()
    article_group: Sequence[str] = ()
    offence_class: Sequence[str] = ()
    severity: Sequence[str] = ()
    place_type: Sequence[str] = ()
    kind: Sequence[str] = ()

    def codes(self, cube: Cube) -> dict[str, list[int]]:
        """The filter as codes of the cube's vocabularies."""
        labels: dict[str, Sequence[str]] = {
            "district": [str(d) for d in self.district], "settlement": self.settlement,
            "article_group": self.article_group, "offence_class": self.offence_class, "severity": self.severity,
            "place_type": self.place_type, "kind": self.kind}
        out: dict[str, list[int]] = {}
        for column, wanted in labels.items():
            if wanted:
                found = [cube.vocab[column].find(label) for label in wanted]
                out[column] = [c for c in found if c is not None] or [NOTHING]
        return out


def store(session: Session, settings: StatisticsSettings) -> CubeStore:
    """The cube store of the session's engine (one per process and engine)."""
    offset = datetime.now(UTC).astimezone(settings.zone).utcoffset()
    engine = session.get_bind().engine
    return store_for(engine, utc_offset_s=int(offset.total_seconds()) if offset else 0,
                     refresh_s=settings.stats_refresh_s)


def warm(session: Session, settings: StatisticsSettings) -> None:
    """Start loading the cube of the session's engine in the background (call once at a server start)."""
    store(session, settings).warm()


def cube_of(session: Session, settings: StatisticsSettings) -> Cube:
    return store(session, settings).get()


@dataclass(frozen=True)
class DistrictInfo:
    name_kk: str
    name_ru: str
    name_en: str
    residents: float
    inspectors: tuple[str, ...]


def districts(session: Session, *, inspectors: bool = False) -> dict[str, DistrictInfo]:
    """District id (as the cube labels it) → names, residents (and, when asked, inspectors) of the set in force."""
    try:
        found = district_service.current(session)
    except QorgauError as error:
        if error.code == "city.no_model":  # no city model yet: figures stand, without districts or rates
            return {}
        raise
    if found is None:
        return {}
    out: dict[str, DistrictInfo] = {}
    for d in found.districts:
        # The passport (inspectors' names) costs queries per district: only the inspector slice needs it.
        names = (tuple(i.name for i in district_service.read_district(session, d, norm=1).inspectors)
                 if inspectors else ())
        out[str(d.id)] = DistrictInfo(d.name_kk, d.name_ru, d.name_en, float(d.residents), names)
    return out


def population(session: Session, settings: StatisticsSettings, source: StatsPopulationSource,
               where: Filters) -> float | None:
    """Residents the rate divides by: the chosen districts' (or all districts') model residents, or the official."""
    if source is StatsPopulationSource.OFFICIAL:
        if settings.stats_official_population is None:
            raise QorgauError("statistics.no_official_population", status=422)
        return None if where.district or where.settlement else float(settings.stats_official_population)
    if where.settlement:
        by_name = settlement_populations(session)
        found = [by_name.get(name) for name in where.settlement]
        # A settlement the model does not know leaves the sum unknown: no rate rather than a low one.
        return None if where.district or None in found else sum(p for p in found if p is not None) or None
    known = districts(session)
    chosen = [known[str(d)] for d in where.district if str(d) in known] if where.district else list(known.values())
    total = sum(d.residents for d in chosen)
    return total or None


def settlement_populations(session: Session) -> dict[str, float]:
    """Settlement name (as the registry labels records) → its population in the city model."""
    try:
        model = city_service.active_model(session)
    except QorgauError as error:
        if error.code == "city.no_model":
            return {}
        raise
    places = city_service.places_page(session, model=model, kind=PlaceKind.SETTLEMENT, q=None, bbox=None,
                                      after_id=None, limit=1000)
    return {p.name: float(p.population) for p in places if p.population}


def fold_inspectors(parts: list[measures.Part], info: Mapping[str, DistrictInfo]) -> list[measures.Part]:
    """District parts regrouped by inspector (a district with two inspectors counts for each)."""
    now: dict[str, int] = {}
    before: dict[str, int] = {}
    for part in parts:
        names = info[part.label].inspectors if part.label is not None and part.label in info else ()
        for name in names or ("",):
            now[name] = now.get(name, 0) + part.counts.current
            before[name] = before.get(name, 0) + part.counts.previous
    total = sum(p.counts.current for p in parts)
    folded = [measures.Part(label=name or None, counts=measures.Change(now[name], before[name]),
                            share=round(now[name] / total, 5) if total else None) for name in now]
    return sorted(folded, key=lambda p: (-p.counts.current, p.label or ""))


def grid_of(session: Session, settings: StatisticsSettings, name: GridName) -> hotspots.Grid:
    """The grid over the town (the police districts in force, drawn over it) or over the whole model."""
    model = city_service.active_model(session)
    if name is GridName.DISTRICTS:
        raise ValueError("police districts are units, not a grid: see statistics.units")
    if name is GridName.AREA:
        return hotspots.Grid.over(model.min_lon, model.min_lat, model.max_lon, model.max_lat,
                                  settings.stats_area_cell_m)
    found = district_service.current(session)
    if found is None or not found.districts:
        raise QorgauError("statistics.no_districts", status=409)
    parts = found.districts
    return hotspots.Grid.over(min(d.min_lon for d in parts), min(d.min_lat for d in parts),
                              max(d.max_lon for d in parts), max(d.max_lat for d in parts),
                              settings.stats_settlement_cell_m)


@dataclass(frozen=True)
class HotMap:
    grid: hotspots.Grid
    index: np.ndarray[tuple[int], np.dtype[np.int64]]  # flat index of each study-area cell
    counts: np.ndarray[tuple[int], np.dtype[np.int64]]
    overall: hotspots.LocalG
    classified: hotspots.Classified


def study_area(cube: Cube, grid: hotspots.Grid, include_generated: bool) -> np.ndarray[tuple[int], np.dtype[np.bool_]]:
    """Cells with any offence on record, at any time: offences happen where people are, fields stay out.

    Kept with the cube (it reads every row: a third of a second at ten million) until the cube changes.
    """
    def make() -> np.ndarray[tuple[int], np.dtype[np.bool_]]:
        everything = cube.select(date(1900, 1, 1), date(2999, 12, 31), include_generated=include_generated).points()
        active: np.ndarray[tuple[int], np.dtype[np.bool_]] = grid.counts(everything.lon, everything.lat).ravel() > 0
        return active

    return cube.remember(("study_area", grid, include_generated), make)


def gi_map(cube: Cube, grid: hotspots.Grid, period: measures.Period, where: Mapping[str, Sequence[int]], *,
           include_generated: bool) -> HotMap:
    """Gi* over the study area for the whole day and for each hour band, and the three-level classification."""
    active = study_area(cube, grid, include_generated)
    if int(active.sum()) < 3:
        raise QorgauError("statistics.too_few_cells", status=409)
    pts = cube.select(period.first, period.last, where, include_generated=include_generated).points()
    index = np.flatnonzero(active)
    w = hotspots.queen_weights(grid, active.reshape(grid.ny, grid.nx))
    counts = grid.counts(pts.lon, pts.lat).ravel()[index]
    overall = hotspots.gi_star(counts, w) if counts.sum() else _flat(index.size)
    by_band = []
    for low, high in BANDS:
        keep = (pts.hour >= low) & (pts.hour < high)
        band = grid.counts(pts.lon[keep], pts.lat[keep]).ravel()[index]
        by_band.append(hotspots.gi_star(band, w) if band.sum() else _flat(index.size))
    return HotMap(grid, index, counts, overall, hotspots.classify(overall, by_band))


def _flat(n: int) -> hotspots.LocalG:
    # No offence at all: nothing is hot, every p is 1.
    return hotspots.LocalG(g=np.zeros(n), z=np.zeros(n), p=np.ones(n))


def camera_list(session: Session, installed_on: date | None) -> list[cameras.Camera]:
    """Cameras of the registry with their installation date: the given one, else the day they were registered.

    The registry keeps no installation date; its registration date stands in for it (ADR 0037).
    """
    found = []
    for device in device_queries.all_devices(session):
        if device.kind != CAMERA_KIND or device.decommissioned_at is not None:
            continue
        when = installed_on or device.created_at.date()
        found.append(cameras.Camera(device.code, float(device.lon), float(device.lat), when))
    return found
