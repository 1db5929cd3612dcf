"""HTTP routes of the offence measures: headline, slices, heat map, trend, hot spots, Moran's I, cameras, readings."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from qorgau.auth.deps import Require
from qorgau.auth.enums import Permission
from qorgau.auth.service import Principal
from qorgau.core.errors import QorgauError
from qorgau.core.web import AppRuntime, ReadSession
from qorgau.legalstats.clearance import READINGS, ClearanceInputs
from qorgau.legalstats.config import LegalStatsSettings
from qorgau.offences.service import local_today
from qorgau.statistics import cameras, hotspots, measures, service, units
from qorgau.statistics.config import StatisticsSettings
from qorgau.statistics.cube import Cube
from qorgau.statistics.schemas import (
    StatsCameraRow,
    StatsCamerasEffect,
    StatsChange,
    StatsClearance,
    StatsClearanceInputs,
    StatsHeadline,
    StatsHeatmap,
    StatsHotCell,
    StatsHotspots,
    StatsMonth,
    StatsMoran,
    StatsPart,
    StatsPopulationSource,
    StatsReading,
    StatsSlices,
    StatsTrend,
)

router = APIRouter(prefix="/api/statistics", tags=["statistics"])
Reader = Annotated[Principal, Require(Permission.STATS_READ)]
Labels = Annotated[list[str] | None, Query()]
# Registry dates lie well inside these; the bounds keep "the same period of last year" a real date.
EARLIEST, LATEST = date(1991, 1, 1), date(2100, 12, 31)


@dataclass(frozen=True)
class Asked:
    """The period and filters every figure route takes."""

    period: measures.Period
    filters: service.Filters
    include_generated: bool


def _asked(
    period: Annotated[measures.PeriodKind, Query(description="month | quarter | half | ytd | year | custom")]
    = measures.PeriodKind.YTD,
    anchor: Annotated[date | None, Query(description="A day inside the wanted period (today when absent).",
                                         ge=EARLIEST, le=LATEST)] = None,
    first: Annotated[date | None, Query(description="First day of a custom period.", ge=EARLIEST, le=LATEST)] = None,
    last: Annotated[date | None, Query(description="Last day of a custom period.", ge=EARLIEST, le=LATEST)] = None,
    district: Annotated[list[int] | None, Query(description="Police district ids.")] = None,
    settlement: Labels = None, article_group: Labels = None, offence_class: Labels = None, severity: Labels = None,
    place_type: Labels = None, kind: Labels = None,
    include_generated: Annotated[bool, Query(description="Count generated (simulated) records too.")] = False,
) -> Asked:
    try:
        resolved = measures.resolve(period, anchor or local_today(), first, last)
    except ValueError:
        raise QorgauError("statistics.bad_period", status=422, errors=[
            {"field": "first", "code": "statistics.custom_period_needs_first_last"}]) from None
    filters = service.Filters(district=district or (), settlement=settlement or (),
                              article_group=article_group or (), offence_class=offence_class or (),
                              severity=severity or (), place_type=place_type or (), kind=kind or ())
    return Asked(resolved, filters, include_generated)


AskedQuery = Annotated[Asked, Depends(_asked)]


def _settings(runtime: AppRuntime) -> StatisticsSettings:
    return runtime.settings.part(StatisticsSettings)


def _change(c: measures.Change) -> dict[str, int | float | None]:
    return {"current": c.current, "previous": c.previous, "delta": c.delta, "percent": c.percent}


def _part(p: measures.Part, names: dict[str, service.DistrictInfo] | None = None) -> StatsPart:
    known = names.get(p.label) if names and p.label is not None else None
    return StatsPart(label=p.label, name=known.name_ru if known else None, name_kk=known.name_kk if known else None,
                     name_en=known.name_en if known else None, share=p.share, rate=p.rate, **_change(p.counts))


def _inputs(i: ClearanceInputs) -> StatsClearanceInputs:
    return StatsClearanceInputs(
        registered=i.registered, sent_to_court=i.sent_to_court,
        terminated_non_rehabilitating=i.terminated_non_rehabilitating,
        terminated_rehabilitating=i.terminated_rehabilitating, interrupted=i.interrupted,
        interrupted_unidentified=i.interrupted_unidentified, carried_over=i.carried_over, completed=i.completed)


def _period(p: measures.Period) -> dict[str, date]:
    before = p.previous_year()
    return {"first": p.first, "last": p.last, "previous_first": before.first, "previous_last": before.last}


def _reading_order(runtime: AppRuntime) -> list[str]:
    # The reading the installation shows first (QORGAU_STATS_CLEARANCE_READING), then the named alternatives.
    shown = str(runtime.settings.part(LegalStatsSettings).stats_clearance_reading)
    return [shown, *(code for code in READINGS if code != shown)]


@router.get("/readings", response_model=list[StatsReading])
def readings(_: Reader, runtime: AppRuntime) -> list[StatsReading]:
    """The clearance readings (legalstats'), the one shown by default first, each with its formula (kk, ru, en)."""
    order = _reading_order(runtime)
    return [StatsReading(code=code, default=code == order[0], names=dict(READINGS[code].names),
                         formula=dict(READINGS[code].formula), needs=list(READINGS[code].needs)) for code in order]


@router.get("/headline", response_model=StatsHeadline)
def headline(_: Reader, db: ReadSession, runtime: AppRuntime, asked: AskedQuery,
             population: StatsPopulationSource = StatsPopulationSource.MODEL) -> StatsHeadline:
    """Counts by class, severity and group, clearance under every reading, rate per 10,000, all with АППГ."""
    settings = _settings(runtime)
    cube = service.cube_of(db, settings)
    residents = service.population(db, settings, population, asked.filters)
    order = _reading_order(runtime)
    found = measures.headline(cube, asked.period, where=asked.filters.codes(cube),
                              include_generated=asked.include_generated, population=residents, readings=order)
    return StatsHeadline(
        **_period(asked.period), include_generated=asked.include_generated,
        total=StatsChange(**_change(found.total)),
        rate=found.rate[0], previous_rate=found.rate[1], population=residents, population_source=population,
        by_class=[_part(p) for p in found.by_class], by_severity=[_part(p) for p in found.by_severity],
        by_group=[_part(p) for p in found.by_group],
        clearance=[StatsClearance(reading=c.reading, default=c.reading == order[0], current=c.current,
                                  previous=c.previous, formula=dict(c.formula), inputs=_inputs(c.inputs),
                                  previous_inputs=_inputs(c.previous_inputs)) for c in found.clearance])


@router.get("/slices", response_model=StatsSlices)
def slices(_: Reader, db: ReadSession, runtime: AppRuntime, asked: AskedQuery,
           dimension: measures.Dimension = measures.Dimension.DISTRICT) -> StatsSlices:
    """The period broken down by one dimension, each value with АППГ, share and (districts, settlements) rate."""
    cube = service.cube_of(db, _settings(runtime))
    info = (service.districts(db, inspectors=dimension is measures.Dimension.INSPECTOR)
            if dimension in (measures.Dimension.DISTRICT, measures.Dimension.INSPECTOR) else {})
    populations = ({k: v.residents for k, v in info.items()} if dimension is measures.Dimension.DISTRICT
                   else service.settlement_populations(db) if dimension is measures.Dimension.SETTLEMENT else None)
    parts = measures.slices(cube, asked.period, dimension, where=asked.filters.codes(cube),
                            include_generated=asked.include_generated, populations=populations)
    if dimension is measures.Dimension.INSPECTOR:
        parts = service.fold_inspectors(parts, info)
    return StatsSlices(**_period(asked.period), dimension=dimension.value, parts=[_part(p, info) for p in parts])


@router.get("/heatmap", response_model=StatsHeatmap)
def heatmap(_: Reader, db: ReadSession, runtime: AppRuntime, asked: AskedQuery) -> StatsHeatmap:
    """Offences by weekday × local hour of commission."""
    cube = service.cube_of(db, _settings(runtime))
    cells = measures.heatmap(cube, asked.period, where=asked.filters.codes(cube),
                             include_generated=asked.include_generated)
    return StatsHeatmap(**_period(asked.period), cells=cells, total=sum(map(sum, cells)))


@router.get("/trend", response_model=StatsTrend)
def trend(_: Reader, db: ReadSession, runtime: AppRuntime, asked: AskedQuery) -> StatsTrend:
    """Monthly counts across the period, each beside the same month of last year."""
    cube = service.cube_of(db, _settings(runtime))
    months = measures.trend(cube, asked.period.first, asked.period.last, where=asked.filters.codes(cube),
                            include_generated=asked.include_generated)
    return StatsTrend(months=[StatsMonth(year=m.year, month=m.month, **_change(m.counts))
                              for m in months])


def _cube_grid(db: ReadSession, runtime: AppRuntime, grid: service.GridName) -> tuple[Cube, hotspots.Grid]:
    settings = _settings(runtime)
    return service.cube_of(db, settings), service.grid_of(db, settings, grid)


@router.get("/hotspots", response_model=StatsHotspots)
def hot_spots(_: Reader, db: ReadSession, runtime: AppRuntime, asked: AskedQuery,
              grid: service.GridName = service.GridName.SETTLEMENT,
              method: Annotated[str, Query(pattern="^(gi|kde)$")] = "gi",
              bandwidth_m: Annotated[float, Query(ge=50, le=5000)] = 300.0) -> StatsHotspots:
    """Gi* z-scores with the three-level classification, or kernel density, over the study area's cells."""
    started = time.perf_counter()
    if grid is service.GridName.DISTRICTS:
        cells = _district_cells(db, runtime, asked, method)
        return StatsHotspots(**_period(asked.period), grid=grid.value, method=method, cell_m=0,
                             bands=[list(b) for b in service.BANDS], cells=cells,
                             seconds=round(time.perf_counter() - started, 4))
    cube, spec = _cube_grid(db, runtime, grid)
    where = asked.filters.codes(cube)
    if method == "gi":
        found = service.gi_map(cube, spec, asked.period, where, include_generated=asked.include_generated)
        lon, lat = spec.centre(found.index)
        cells = [StatsHotCell(lon=round(float(lon[k]), 6), lat=round(float(lat[k]), 6), count=int(found.counts[k]),
                              value=round(float(found.overall.z[k]), 4), p=float(found.overall.p[k]),
                              level=found.classified.level[k].value, bands=found.classified.bands[k])
                 for k in range(found.index.size)]
    else:
        active = service.study_area(cube, spec, asked.include_generated)
        pts = cube.select(asked.period.first, asked.period.last, where,
                          include_generated=asked.include_generated).points()
        counts = spec.counts(pts.lon, pts.lat)
        density = hotspots.kde(counts, spec.cell_m, bandwidth_m).ravel()
        index = active.nonzero()[0]
        lon, lat = spec.centre(index)
        flat = counts.ravel()
        cells = [StatsHotCell(lon=round(float(lon[k]), 6), lat=round(float(lat[k]), 6), count=int(flat[i]),
                              value=round(float(density[i]), 4), p=None, level=None, bands=[])
                 for k, i in enumerate(index)]
    return StatsHotspots(**_period(asked.period), grid=grid.value, method=method, cell_m=spec.cell_m,
                         bands=[list(b) for b in service.BANDS], cells=cells,
                         seconds=round(time.perf_counter() - started, 4))


def _district_cells(db: ReadSession, runtime: AppRuntime, asked: Asked, method: str) -> list[StatsHotCell]:
    # Police districts as units: Gi* per district; a density has no meaning there, so kde gives the counts.
    cube = service.cube_of(db, _settings(runtime))
    found_units = units.district_units(db)
    where = asked.filters.codes(cube)
    if method != "gi":
        counts = units.counts(cube, found_units, asked.period, where, include_generated=asked.include_generated)
        return [StatsHotCell(lon=round(lon, 6), lat=round(lat, 6), count=int(c), value=float(c), p=None, level=None,
                             bands=[]) for lon, lat, c in zip(found_units.lon, found_units.lat, counts, strict=True)]
    found = units.gi_map(cube, found_units, asked.period, where, service.BANDS,
                         include_generated=asked.include_generated)
    return [StatsHotCell(lon=round(found_units.lon[k], 6), lat=round(found_units.lat[k], 6),
                         count=int(found.counts[k]), value=round(float(found.overall.z[k]), 4),
                         p=float(found.overall.p[k]), level=found.classified.level[k].value,
                         bands=found.classified.bands[k]) for k in range(len(found_units.labels))]


@router.get("/moran", response_model=StatsMoran)
def moran(_: Reader, db: ReadSession, runtime: AppRuntime, asked: AskedQuery,
          grid: service.GridName = service.GridName.SETTLEMENT) -> StatsMoran:
    """Global Moran's I of the period's counts over the study area (queen contiguity, row-standardised)."""
    if grid is service.GridName.DISTRICTS:
        cube = service.cube_of(db, _settings(runtime))
        found_units = units.district_units(db)
        counts = units.counts(cube, found_units, asked.period, asked.filters.codes(cube),
                              include_generated=asked.include_generated)
        w = hotspots.row_standardise(found_units.contiguity)
    else:
        cube, spec = _cube_grid(db, runtime, grid)
        active = service.study_area(cube, spec, asked.include_generated)
        if int(active.sum()) < 4:
            raise QorgauError("statistics.too_few_cells", status=409)
        pts = cube.select(asked.period.first, asked.period.last, asked.filters.codes(cube),
                          include_generated=asked.include_generated).points()
        counts = spec.counts(pts.lon, pts.lat).ravel()[active]
        w = hotspots.row_standardise(hotspots.queen_weights(spec, active.reshape(spec.ny, spec.nx), star=False))
    if counts.size < 4 or counts.min() == counts.max():
        raise QorgauError("statistics.no_variation", status=409)
    found = hotspots.moran(counts, w)
    return StatsMoran(**_period(asked.period), grid=grid.value, cells=int(counts.size), i=found.i,
                      expected=found.expected, z_norm=found.z_norm, p_norm=found.p_norm, z_rand=found.z_rand,
                      p_rand=found.p_rand)


@router.get("/cameras-effect", response_model=StatsCamerasEffect)
def cameras_effect(_: Reader, db: ReadSession, runtime: AppRuntime,
                   installed_on: Annotated[date | None, Query(description="One installation date for every camera "
                                                                  "(the registry keeps none).",
                                                              ge=EARLIEST, le=LATEST)] = None,
                   include_generated: bool = False) -> StatsCamerasEffect:
    """Offences in camera view before and after installation against a ring around each camera that none sees."""
    settings = _settings(runtime)
    cube = service.cube_of(db, settings)
    radius = settings.stats_camera_radius_m
    window = settings.stats_camera_window_days
    found_cameras = service.camera_list(db, installed_on)
    # Every record with a position takes part (seconds at ten million): the answer is kept with the cube.
    def make() -> cameras.Effect:
        pts = cube.select(date(1900, 1, 1), date(2999, 12, 31), include_generated=include_generated).points()
        return cameras.effect(pts, found_cameras, radius_m=radius, control_inner_m=2 * radius,
                              control_outer_m=5 * radius, window_days=window)

    found = cube.remember(("cameras_effect", tuple(found_cameras), radius, window, include_generated), make)
    return StatsCamerasEffect(
        radius_m=radius, control_inner_m=2 * radius, control_outer_m=5 * radius, window_days=window,
        install_date_source="given" if installed_on else "registry",
        treated_before=found.counts.treated_before, treated_after=found.counts.treated_after,
        control_before=found.counts.control_before, control_after=found.counts.control_after,
        did=found.did, did_se=round(found.did_se, 4), ratio=found.ratio, ratio_low=found.ratio_low,
        ratio_high=found.ratio_high,
        cameras=[StatsCameraRow(code=r.camera.code, installed_on=r.camera.installed_on, **vars(r.counts))
                 for r in found.rows])
