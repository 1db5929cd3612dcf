"""Geometry of the registry: the district boundary, point-in-polygon, distances and bearings on WGS84.

Distances use a local equirectangular projection, exact to well under a metre over the few hundred metres a
camera sees and good to 0.1 % across a district; no GIS library is needed.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Iterable, Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

EARTH_RADIUS_M = 6_371_008.8
M_PER_DEG = math.pi * EARTH_RADIUS_M / 180  # along a meridian, and along the equator
# The city model ships the real boundary of Burlinsky district here (issue 3, city model section).
CITY_BOUNDARY = ("city", "aksai", "data", "burlinsky-district.geojson")

Ring = Sequence[tuple[float, float]]


class Boundary:
    """A polygon or multipolygon (holes allowed) answering point-in-polygon by even-odd ray casting."""

    # Edges are bucketed into latitude bands, so a test looks at a handful of edges instead of every vertex:
    # an import of 10,000 devices checks its positions in milliseconds.

    def __init__(self, rings: Iterable[Ring], bands: int = 128) -> None:
        edges: list[tuple[float, float, float, float]] = []
        for ring in rings:
            points = list(ring)
            for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True):
                if y1 != y2:
                    edges.append((x1, y1, x2, y2))
        if not edges:
            raise ValueError("a boundary needs at least one ring with area")
        self.min_lat = min(min(e[1], e[3]) for e in edges)
        self.max_lat = max(max(e[1], e[3]) for e in edges)
        self.min_lon = min(min(e[0], e[2]) for e in edges)
        self.max_lon = max(max(e[0], e[2]) for e in edges)
        self._bands = bands
        self._height = (self.max_lat - self.min_lat) / bands or 1.0
        self._buckets: list[list[tuple[float, float, float, float]]] = [[] for _ in range(bands)]
        for edge in edges:
            low, high = sorted((edge[1], edge[3]))
            for band in range(self._band(low), self._band(high) + 1):
                self._buckets[band].append(edge)

    def _band(self, lat: float) -> int:
        return min(self._bands - 1, max(0, int((lat - self.min_lat) / self._height)))

    def contains(self, lon: float, lat: float) -> bool:
        if not (self.min_lon <= lon <= self.max_lon and self.min_lat <= lat <= self.max_lat):
            return False
        inside = False
        for x1, y1, x2, y2 in self._buckets[self._band(lat)]:
            if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
        return inside

    @classmethod
    def from_geojson(cls, data: dict[str, Any]) -> Boundary:
        """From a FeatureCollection, Feature or bare Polygon/MultiPolygon geometry."""
        geometries: list[dict[str, Any]]
        if data.get("type") == "FeatureCollection":
            geometries = [f["geometry"] for f in data.get("features", [])]
        elif data.get("type") == "Feature":
            geometries = [data["geometry"]]
        else:
            geometries = [data]
        rings: list[Ring] = []
        for geometry in geometries:
            if geometry["type"] not in ("Polygon", "MultiPolygon"):
                continue
            polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
            for polygon in polygons:
                rings.extend([(float(p[0]), float(p[1])) for p in ring] for ring in polygon)
        return cls(rings)


_override: list[Boundary | None] = []


def configure_boundary(boundary: Boundary | None) -> None:
    """Use this boundary instead of the city model's (tests, and deployments without a city model yet)."""
    _override[:] = [boundary]


def boundary_from_file(path: Path) -> Boundary:
    return Boundary.from_geojson(json.loads(path.read_text(encoding="utf-8")))


@cache
def _shipped_boundary() -> Boundary | None:
    source = resources.files("qorgau").joinpath(*CITY_BOUNDARY)
    if not source.is_file():
        log.warning("no district boundary is installed; device positions are not checked against it")
        return None
    return Boundary.from_geojson(json.loads(source.read_text(encoding="utf-8")))


def district_boundary() -> Boundary | None:
    """The boundary device positions must lie in; None when no city model provides one."""
    # The single place to switch to the city service's boundary once it has one.
    if _override:
        return _override[0]
    return _shipped_boundary()


def local_xy(lon0: float, lat0: float, lon: float, lat: float) -> tuple[float, float]:
    """Metres east and north of (lon0, lat0)."""
    return (lon - lon0) * M_PER_DEG * math.cos(math.radians(lat0)), (lat - lat0) * M_PER_DEG


def offset(lon: float, lat: float, east_m: float, north_m: float) -> tuple[float, float]:
    """The point ``east_m`` and ``north_m`` metres away from (lon, lat)."""
    return lon + east_m / (M_PER_DEG * math.cos(math.radians(lat))), lat + north_m / M_PER_DEG


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    x, y = local_xy(lon1, lat1, lon2, lat2)
    return math.hypot(x, y)


def bearing_deg(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Compass bearing (0 = north, 90 = east) from the first point towards the second."""
    x, y = local_xy(lon1, lat1, lon2, lat2)
    return math.degrees(math.atan2(x, y)) % 360.0


def angle_between(a: float, b: float) -> float:
    """Smallest absolute difference of two compass angles, 0–180."""
    diff = abs(a - b) % 360.0
    return 360.0 - diff if diff > 180.0 else diff
