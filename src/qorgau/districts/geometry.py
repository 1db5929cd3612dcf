"""District polygons in local metres (shapely): residents from population cells split by area, and validation."""

# Areas and overlaps are measured in a local equirectangular frame (city.geometry.LocalProjection), exact to
# well under 1 % across a town, so a 100 m population cell is a 100 m square and a boundary crossing it splits
# its residents in proportion to the area on each side.

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from qorgau.city.geometry import LocalProjection
from qorgau.core.errors import ValidationFailed

# Slivers below this many square metres are rounding between neighbours' shared edges, not overlaps or gaps.
TOLERANCE_M2 = 25.0
POLYGON_TYPES = ("Polygon", "MultiPolygon")
# What reading a malformed GeoJSON geometry raises (missing keys, wrong nesting, NaN, too few points …).
UNREADABLE = (ValueError, TypeError, AttributeError, IndexError, KeyError, shapely.errors.ShapelyError)


@dataclass(frozen=True)
class Frame:
    """The local metres a model's grid is laid in, and its cell size."""

    proj: LocalProjection
    cell_m: float

    def to_m(self, geometry: dict[str, Any]) -> BaseGeometry:
        """A GeoJSON geometry in lon/lat as a shapely geometry in local metres."""
        geom = shape(geometry)
        return shapely.transform(geom, lambda xy: np.column_stack(self.proj.to_xy(xy[:, 0], xy[:, 1])))

    def to_lonlat(self, geom: BaseGeometry) -> dict[str, Any]:
        """A shapely geometry in local metres as GeoJSON in lon/lat, rounded to 7 decimals (about 1 cm)."""
        back = shapely.transform(geom, lambda xy: np.round(np.column_stack(self.proj.to_lonlat(xy[:, 0], xy[:, 1])),
                                                           7))
        found: dict[str, Any] = _lists(mapping(back))
        return found

    def point_lonlat(self, x: float, y: float) -> tuple[float, float]:
        return self.proj.point(x, y)


def _lists(value: Any) -> Any:
    """GeoJSON with lists, not tuples (JSON columns and equality in tests)."""
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_lists(v) for v in value]
    return value


@dataclass(frozen=True)
class Cells:
    """Population cells as squares in local metres, with their residents."""

    x: np.ndarray[Any, np.dtype[np.float64]]  # centres
    y: np.ndarray[Any, np.dtype[np.float64]]
    residents: np.ndarray[Any, np.dtype[np.float64]]
    squares: np.ndarray[Any, np.dtype[np.object_]]
    tree: shapely.STRtree

    @classmethod
    def of(cls, frame: Frame, rows: Sequence[tuple[float, float, int]]) -> Cells:
        """Cells from (lon, lat, residents) rows."""
        lon = np.array([r[0] for r in rows], dtype=float)
        lat = np.array([r[1] for r in rows], dtype=float)
        x, y = frame.proj.to_xy(lon, lat)
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        half = frame.cell_m / 2
        squares = shapely.box(x - half, y - half, x + half, y + half)
        residents = np.array([r[2] for r in rows], dtype=float)
        return cls(x=x, y=y, residents=residents, squares=np.asarray(squares, dtype=object),
                   tree=shapely.STRtree(squares))

    def residents_in(self, geom: BaseGeometry) -> float:
        """Residents inside a polygon, each cell a boundary crosses counted by the share of its area inside."""
        hits = self.tree.query(geom, predicate="intersects")
        if len(hits) == 0:
            return 0.0
        squares = self.squares[hits]
        shares = shapely.area(shapely.intersection(squares, geom)) / shapely.area(squares)
        return float(np.sum(shares * self.residents[hits]))


def problem(code: str, district: int | str | None = None, **params: Any) -> dict[str, str]:
    """One validation problem: its translation key, the district number and the facts."""
    found = {"code": f"districts.problem.{code}", "district": "" if district is None else str(district)}
    found.update({k: str(v) for k, v in params.items()})
    return found


def _where(frame: Frame, geom: BaseGeometry) -> str:
    point = geom.representative_point()
    lon, lat = frame.point_lonlat(point.x, point.y)
    return f"{lon:.5f}, {lat:.5f}"


def read_area(frame: Frame, geometry: dict[str, Any]) -> BaseGeometry:
    """The area a set must cover, in metres; a problem when it is not a valid polygon."""
    try:
        area = frame.to_m(geometry)
    except UNREADABLE as exc:
        raise ValidationFailed("districts.invalid", errors=[problem("bad_area", None, detail=str(exc)[:200])],
                               params={"count": 1}) from exc
    if area.geom_type not in POLYGON_TYPES or not area.is_valid or area.area < TOLERANCE_M2:
        raise ValidationFailed("districts.invalid", errors=[problem("bad_area")], params={"count": 1})
    return area


def _against_area(frame: Frame, area: BaseGeometry, numbers: list[int],
                  shapes: list[BaseGeometry]) -> list[dict[str, str]]:
    """Parts of districts outside the area, and parts of the area in no district."""
    problems: list[dict[str, str]] = []
    for number, geom in zip(numbers, shapes, strict=True):
        outside = geom.difference(area)
        if outside.area > TOLERANCE_M2:
            problems.append(problem("outside_area", number, area_m2=round(outside.area), at=_where(frame, outside)))
    gaps = area.difference(shapely.union_all(shapes))
    for gap in getattr(gaps, "geoms", [gaps]):
        if gap.area > TOLERANCE_M2:
            problems.append(problem("gap", None, area_m2=round(gap.area), at=_where(frame, gap)))
    return problems


def validate(frame: Frame, area: BaseGeometry | None,
             polygons: Sequence[tuple[int, dict[str, Any]]]) -> list[BaseGeometry]:
    """The districts' polygons in metres; raises one ValidationFailed listing every problem found (without an
    area, only the polygons themselves and their overlaps are checked)."""
    problems: list[dict[str, str]] = []
    shapes: list[BaseGeometry] = []
    numbers = [n for n, _ in polygons]
    if not polygons:
        problems.append(problem("empty"))
    for number in sorted({n for n in numbers if numbers.count(n) > 1}):
        problems.append(problem("duplicate_number", number))
    for number, geometry in polygons:
        if geometry.get("type") not in POLYGON_TYPES:
            problems.append(problem("not_polygon", number, type=geometry.get("type")))
            shapes.append(shapely.Polygon())
            continue
        try:
            geom = frame.to_m(geometry)
        except UNREADABLE as exc:
            problems.append(problem("unreadable", number, detail=str(exc)[:200]))
            shapes.append(shapely.Polygon())
            continue
        if not geom.is_valid:
            problems.append(problem("self_intersecting", number, detail=explain_validity(geom)[:200]))
        elif geom.is_empty or geom.area < TOLERANCE_M2:
            problems.append(problem("empty_polygon", number))
        shapes.append(geom)
    if problems:
        raise ValidationFailed("districts.invalid", errors=problems, params={"count": len(problems)})
    tree = shapely.STRtree(shapes)
    for i, j in zip(*tree.query(shapes, predicate="intersects"), strict=True):
        if i < j:
            overlap = shapes[i].intersection(shapes[j])
            if overlap.area > TOLERANCE_M2:
                problems.append(problem("overlap", numbers[i], other=numbers[j], area_m2=round(overlap.area),
                                        at=_where(frame, overlap)))
    if area is not None:
        problems.extend(_against_area(frame, area, numbers, shapes))
    if problems:
        raise ValidationFailed("districts.invalid", errors=problems, params={"count": len(problems)})
    return shapes
