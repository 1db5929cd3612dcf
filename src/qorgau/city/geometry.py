"""Plane geometry on WGS84 coordinates without GIS libraries: distances, local metres, polygons, chains."""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

EARTH_RADIUS_M = 6_371_008.8
Point = tuple[float, float]  # (lon, lat), GeoJSON order
Floats = NDArray[np.float64]


def haversine_m(lon1: Any, lat1: Any, lon2: Any, lat2: Any) -> Any:
    """Great-circle distance in metres; works on scalars and numpy arrays alike."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


class LocalProjection:
    """Equirectangular metres around an origin: exact enough (< 0.5 %) across a district for snapping and grids."""

    def __init__(self, lon0: float, lat0: float) -> None:
        self.lon0, self.lat0 = lon0, lat0
        self.kx = math.radians(1) * EARTH_RADIUS_M * math.cos(math.radians(lat0))
        self.ky = math.radians(1) * EARTH_RADIUS_M

    def to_xy(self, lon: Any, lat: Any) -> tuple[Any, Any]:
        return (np.asarray(lon) - self.lon0) * self.kx, (np.asarray(lat) - self.lat0) * self.ky

    def to_lonlat(self, x: Any, y: Any) -> tuple[Any, Any]:
        return self.lon0 + np.asarray(x) / self.kx, self.lat0 + np.asarray(y) / self.ky

    def point(self, x: float, y: float) -> Point:
        """A (lon, lat) tuple for local metres, rounded to 7 decimals (about a centimetre)."""
        return round(self.lon0 + x / self.kx, 7), round(self.lat0 + y / self.ky, 7)


def rings_of(geometry: dict[str, Any]) -> list[list[list[Point]]]:
    """The polygons of a Polygon or MultiPolygon geometry, each as [outer ring, holes...]."""
    kind, coords = geometry.get("type"), geometry.get("coordinates", [])
    if kind == "Polygon":
        return [[[(float(x), float(y)) for x, y, *_ in ring] for ring in coords]]
    if kind == "MultiPolygon":
        return [[[(float(x), float(y)) for x, y, *_ in ring] for ring in polygon] for polygon in coords]
    return []


def _in_ring(lon: Floats, lat: Floats, ring: Sequence[Point]) -> NDArray[np.bool_]:
    """Even-odd ray casting, vectorised over points and ring edges (in chunks to bound memory)."""
    arr = np.asarray(ring, dtype=float)
    if len(arr) and tuple(arr[0]) != tuple(arr[-1]):
        arr = np.vstack([arr, arr[:1]])
    x1, y1, x2, y2 = arr[:-1, 0], arr[:-1, 1], arr[1:, 0], arr[1:, 1]
    sloped = y1 != y2
    x1, y1, x2, y2 = x1[sloped], y1[sloped], x2[sloped], y2[sloped]
    inside = np.zeros(lon.shape, dtype=bool)
    chunk = max(1, 200_000 // max(len(x1), 1))
    for start in range(0, len(lon), chunk):
        px, py = lon[start:start + chunk, None], lat[start:start + chunk, None]
        crosses = (y1 > py) != (y2 > py)
        # An edge whose ends differ in latitude by a subnormal amount overflows here; only crossing edges' x_at is
        # used, and for those the division is finite, so the overflow of the others is harmless.
        with np.errstate(over="ignore", invalid="ignore"):
            x_at = x1 + (py - y1) * (x2 - x1) / (y2 - y1)
        inside[start:start + chunk] = (np.count_nonzero(crosses & (px < x_at), axis=1) % 2) == 1
    return inside


def contains(geometry: dict[str, Any], lon: Any, lat: Any) -> NDArray[np.bool_]:
    """Which points lie inside a Polygon / MultiPolygon geometry (holes respected)."""
    lons, lats = np.atleast_1d(np.asarray(lon, dtype=float)), np.atleast_1d(np.asarray(lat, dtype=float))
    result = np.zeros(lons.shape, dtype=bool)
    for polygon in rings_of(geometry):
        inside = _in_ring(lons, lats, polygon[0])
        for hole in polygon[1:]:
            inside &= ~_in_ring(lons, lats, hole)
        result |= inside
    return result


def contains_point(geometry: dict[str, Any], lon: float, lat: float) -> bool:
    return bool(contains(geometry, lon, lat)[0])


def bbox_of(points: Iterable[Point]) -> tuple[float, float, float, float]:
    """(min lon, min lat, max lon, max lat) of some points."""
    xs, ys = zip(*points, strict=True)
    return min(xs), min(ys), max(xs), max(ys)


def geometry_points(geometry: dict[str, Any]) -> list[Point]:
    """Every coordinate of a GeoJSON geometry, flattened."""
    def walk(value: Any) -> Iterable[Point]:
        if value and isinstance(value[0], (int, float)):
            yield float(value[0]), float(value[1])
        else:
            for item in value:
                yield from walk(item)

    return list(walk(geometry.get("coordinates", [])))


def rectangle(x0: float, y0: float, x1: float, y1: float, proj: LocalProjection) -> dict[str, Any]:
    """A GeoJSON Polygon of a rectangle given in local metres."""
    ring = [proj.point(x0, y0), proj.point(x1, y0), proj.point(x1, y1), proj.point(x0, y1), proj.point(x0, y0)]
    return {"type": "Polygon", "coordinates": [[list(p) for p in ring]]}


def convex_hull(points: Sequence[Point]) -> list[Point]:
    """Andrew's monotone chain; the ring is closed and counter-clockwise."""
    pts = sorted(set(points))
    if len(pts) < 3:
        return [*pts, pts[0]] if pts else []

    def cross(o: Point, a: Point, b: Point) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[Point] = []
    upper: list[Point] = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    hull = lower[:-1] + upper[:-1]
    return [*hull, hull[0]]


def merge_chains(segments: Iterable[tuple[int, int]]) -> list[list[int]]:
    """Join segments that share an end into the fewest simple chains (a street drawn as lines, not pieces)."""
    adjacency: dict[int, list[tuple[int, int]]] = defaultdict(list)
    edges = list(segments)
    for k, (a, b) in enumerate(edges):
        adjacency[a].append((k, b))
        adjacency[b].append((k, a))
    used = [False] * len(edges)

    def walk(start: int) -> list[int]:
        chain, node = [start], start
        while True:
            nxt = next(((k, other) for k, other in adjacency[node] if not used[k]), None)
            if nxt is None:
                return chain
            used[nxt[0]] = True
            node = nxt[1]
            chain.append(node)
            if len(adjacency[node]) != 2:
                return chain

    chains: list[list[int]] = []
    # Start at ends and junctions first so chains break only where streets really branch.
    starts = [n for n, items in adjacency.items() if len(items) != 2] + list(adjacency)
    for node in starts:
        while any(not used[k] for k, _ in adjacency[node]):
            chains.append(walk(node))
    return chains


def polyline_length_m(line: Sequence[Point]) -> float:
    if len(line) < 2:
        return 0.0
    arr = np.asarray(line, dtype=float)
    return float(np.sum(haversine_m(arr[:-1, 0], arr[:-1, 1], arr[1:, 0], arr[1:, 1])))


def point_along(line: Sequence[Point], fraction: float) -> Point:
    """The point at ``fraction`` (0..1) of a polyline's length."""
    if len(line) == 1:
        return line[0]
    arr = np.asarray(line, dtype=float)
    steps = haversine_m(arr[:-1, 0], arr[:-1, 1], arr[1:, 0], arr[1:, 1])
    total = float(np.sum(steps))
    if total == 0:
        return line[0]
    target = min(max(fraction, 0.0), 1.0) * total
    walked = 0.0
    for i, step in enumerate(steps):
        if walked + step >= target and step > 0:
            t = (target - walked) / step
            (x1, y1), (x2, y2) = line[i], line[i + 1]
            return x1 + t * (x2 - x1), y1 + t * (y2 - y1)
        walked += float(step)
    return line[-1]


def centroid(geometry: dict[str, Any]) -> Point:
    """Area-weighted centroid of a polygon's outer ring (the largest polygon of a MultiPolygon)."""
    polygons = rings_of(geometry)
    if not polygons:
        points = geometry_points(geometry)
        return sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)
    best: tuple[float, Point] = (-1.0, (0.0, 0.0))
    for polygon in polygons:
        ring = polygon[0]
        area = cx = cy = 0.0
        for (x1, y1), (x2, y2) in itertools.pairwise(ring):
            step = x1 * y2 - x2 * y1
            area += step
            cx += (x1 + x2) * step
            cy += (y1 + y2) * step
        if area == 0:
            point = (sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring))
        else:
            point = (cx / (3 * area), cy / (3 * area))
        if abs(area) > best[0]:
            best = (abs(area), point)
    return best[1]
