"""Isochrone polygons: the reached streets rasterised on a fine grid, then the grid's outline traced into rings."""

# No GIS library: a street reached up to some point marks the grid squares it passes (sampled every half
# square), one square of margin stands for the last steps off the street, and the boundary between marked
# and unmarked squares is chained into rings (outer rings counter-clockwise, holes clockwise). A larger
# budget marks a superset of squares, so 5 ⊂ 10 ⊂ 15 minutes holds by construction.

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.ndimage import binary_dilation

from qorgau.city.graph import CityGraph, ModeGraph

Floats = NDArray[np.float64]
Bools = NDArray[np.bool_]
Ring = list[tuple[int, int]]


@dataclass(frozen=True, slots=True)
class Grid:
    """Square cells of ``size`` metres over the graph's local plane, from (x0, y0)."""

    x0: float
    y0: float
    size: float
    width: int
    height: int

    @classmethod
    def over(cls, graph: CityGraph, size: float) -> Grid:
        xy = graph.xy if len(graph.xy) else np.zeros((1, 2))
        x0, y0 = float(xy[:, 0].min()) - 2 * size, float(xy[:, 1].min()) - 2 * size
        width = int((xy[:, 0].max() - x0) / size) + 3
        height = int((xy[:, 1].max() - y0) / size) + 3
        return cls(x0, y0, size, width, height)


@dataclass(frozen=True, slots=True)
class Raster:
    """Marked squares of a window of the grid: ``mask[r, c]`` is square (row0 + r, col0 + c)."""

    mask: Bools
    row0: int
    col0: int

    def full(self, grid: Grid) -> Bools:
        """The window placed on the whole grid (for comparisons)."""
        out = np.zeros((grid.height, grid.width), dtype=bool)
        h, w = self.mask.shape
        out[self.row0:self.row0 + h, self.col0:self.col0 + w] = self.mask
        return out


def reached_mask(graph: CityGraph, mode_graph: ModeGraph, times: Floats, budget: float, grid: Grid) -> Raster:
    """Squares a walker (or car) reaches within ``budget`` seconds, partly travelled edges included."""
    matrix = mode_graph.matrix
    src = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    dst = matrix.indices
    start = times[src]
    live = start <= budget
    src, dst, start, weight = src[live], dst[live], start[live], matrix.data[live]
    # The share of each edge travelled within the budget (a time is in the same seconds as the weights).
    reach = np.clip((budget - start) / weight, 0.0, 1.0)
    a, b = graph.xy[src], graph.xy[dst]
    lengths = np.hypot(*(b - a).T) * reach
    steps = np.maximum(1, np.ceil(lengths / (grid.size / 2)).astype(np.int64))
    owner = np.repeat(np.arange(len(src)), steps + 1)
    offset = np.arange(len(owner)) - np.repeat(np.cumsum(steps + 1) - (steps + 1), steps + 1)
    t = offset / steps[owner] * reach[owner]
    points = a[owner] + (b[owner] - a[owner]) * t[:, None]
    cols = ((points[:, 0] - grid.x0) / grid.size).astype(np.int64)
    rows = ((points[:, 1] - grid.y0) / grid.size).astype(np.int64)
    ok = (cols >= 0) & (cols < grid.width) & (rows >= 0) & (rows < grid.height)
    rows, cols = rows[ok], cols[ok]
    if not len(rows):
        return Raster(np.zeros((0, 0), dtype=bool), 0, 0)
    # Work on the reached window only: a district's grid has millions of squares, a post's walk a few thousand.
    r0, c0 = max(int(rows.min()) - 1, 0), max(int(cols.min()) - 1, 0)
    r1, c1 = min(int(rows.max()) + 2, grid.height), min(int(cols.max()) + 2, grid.width)
    mask = np.zeros((r1 - r0, c1 - c0), dtype=bool)
    mask[rows - r0, cols - c0] = True
    dilated: Bools = binary_dilation(mask, structure=np.ones((3, 3), dtype=bool))
    return Raster(dilated, r0, c0)


# Unit steps and the boundary edges a marked cell contributes, its inside on the left.
_LEFT_TURN = {(1, 0): (0, 1), (0, 1): (-1, 0), (-1, 0): (0, -1), (0, -1): (1, 0)}


def trace(mask: Bools) -> list[Ring]:
    """Closed rings (grid corner coordinates, x = column) around the marked squares, collinear points dropped."""
    padded = np.pad(mask, 1)
    inner = padded[1:-1, 1:-1]
    outgoing: dict[tuple[int, int], list[tuple[int, int]]] = {}

    def add(sides: Bools, start: tuple[int, int], step: tuple[int, int]) -> None:
        rows, cols = np.nonzero(sides)
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
            outgoing.setdefault((c + start[0], r + start[1]), []).append(step)

    below, above = padded[:-2, 1:-1], padded[2:, 1:-1]
    left, right = padded[1:-1, :-2], padded[1:-1, 2:]
    add(inner & ~below, (0, 0), (1, 0))
    add(inner & ~right, (1, 0), (0, 1))
    add(inner & ~above, (1, 1), (-1, 0))
    add(inner & ~left, (0, 1), (0, -1))
    rings: list[Ring] = []
    for first in sorted(outgoing):
        while outgoing.get(first):
            ring = [first]
            point, step = first, outgoing[first].pop()
            while True:
                point = (point[0] + step[0], point[1] + step[1])
                if point == first:
                    break
                choices = outgoing[point]
                # At a corner where two squares touch diagonally, turning left keeps each ring simple.
                preferred = _LEFT_TURN[step]
                nxt = preferred if preferred in choices else choices[0]
                choices.remove(nxt)
                if nxt != step:
                    ring.append(point)
                step = nxt
            ring.append(first)  # the smallest ring, one square, has four corners
            rings.append(ring)
    return rings


def _area(ring: Ring) -> float:
    xs = np.array([p[0] for p in ring], dtype=np.float64)
    ys = np.array([p[1] for p in ring], dtype=np.float64)
    return float(np.dot(xs[:-1], ys[1:]) - np.dot(xs[1:], ys[:-1])) / 2


def _inside(point: tuple[float, float], ring: Ring) -> bool:
    x, y = point
    inside = False
    for (x1, y1), (x2, y2) in itertools.pairwise(ring):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def polygons(mask: Bools) -> list[list[Ring]]:
    """Rings grouped as polygons: each outer ring with the holes inside it."""
    outers: list[list[Ring]] = []
    holes: list[Ring] = []
    for ring in trace(mask):
        (outers.append([ring]) if _area(ring) > 0 else holes.append(ring))
    outers.sort(key=lambda polygon: _area(polygon[0]))
    for hole in holes:
        (x1, y1), (x2, y2) = hole[0], hole[1]
        dx, dy = np.sign(x2 - x1), np.sign(y2 - y1)
        # The square on the right of a hole's edge is the empty one inside it.
        probe = ((x1 + x2) / 2 + dy * 0.5, (y1 + y2) / 2 - dx * 0.5)
        owner = next((polygon for polygon in outers if _inside(probe, polygon[0])), None)
        if owner is not None:
            owner.append(hole)
    return outers


def to_geojson(raster: Raster, grid: Grid, graph: CityGraph) -> dict[str, Any]:
    """A GeoJSON MultiPolygon (lon, lat to six decimals) of the marked squares."""
    coordinates = []
    for polygon in polygons(raster.mask):
        rings = []
        for ring in polygon:
            corners = np.asarray(ring, dtype=np.float64)
            x = grid.x0 + (corners[:, 0] + raster.col0) * grid.size
            lon, lat = graph.proj.to_lonlat(x, grid.y0 + (corners[:, 1] + raster.row0) * grid.size)
            rings.append([[round(float(x), 6), round(float(y), 6)] for x, y in zip(lon, lat, strict=True)])
        coordinates.append(rings)
    return {"type": "MultiPolygon", "coordinates": coordinates}
