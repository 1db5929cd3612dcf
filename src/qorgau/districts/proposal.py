"""Redistricting: contiguous, compact districts of balanced residents, built from the cells of the model's grid."""

# Weighted k-means on the populated cells places one centre per district; regions then grow from those centres
# over the grid's 4-neighbour adjacency, the least-populated region taking its nearest free neighbour each time,
# so every region is contiguous by construction. A local search then moves boundary cells from the most populated
# region to a neighbour while that lowers the larger of the two and leaves the donor connected. Polygons are the
# unions of each region's squares clipped to the area, so the set has no gaps or overlaps by construction.
# With a workload share a > 0 a cell weighs residents_share × (1 − a) + incidents_share × a (shares of the
# town's totals), so the same growth and search balance a mix of residents and incidents.

from __future__ import annotations

import heapq
import math
from collections import deque
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from qorgau.core.errors import QorgauError
from qorgau.districts.geometry import Cells, Frame

Cell = tuple[int, int]
SEED = 20240101  # fixed: the same town and count give the same proposal
MAX_CELLS = 250_000  # 50 × 50 km of 100 m cells: a town's beats, not a region's (memory and seconds)
MOVES_PER_CELL = 2  # bound on the local search (each move strictly lowers the largest region)


@dataclass(frozen=True)
class Region:
    """One proposed district: its cells, residents and polygon in metres."""

    cells: frozenset[Cell]
    residents: float
    polygon: BaseGeometry
    incidents: int = 0


@dataclass(frozen=True)
class Workload:
    """Incident positions in local metres and the weight they get against residents."""

    x: np.ndarray[Any, np.dtype[np.float64]]
    y: np.ndarray[Any, np.dtype[np.float64]]
    share: float


def _mixed(grid: dict[Cell, float], frame: Frame, workload: Workload | None) -> dict[Cell, float]:
    """The grid's weights: residents alone, or mixed with incidents as shares of the town's totals."""
    if workload is None or workload.share <= 0 or len(workload.x) == 0:
        return grid
    s = frame.cell_m
    counts: dict[Cell, float] = dict.fromkeys(grid, 0.0)
    for x, y in zip(workload.x, workload.y, strict=True):
        key = (math.floor(x / s), math.floor(y / s))
        if key in counts:
            counts[key] += 1.0
    residents, incidents = sum(grid.values()) or 1.0, sum(counts.values()) or 1.0
    a = workload.share
    return {c: (1 - a) * grid[c] / residents + a * counts[c] / incidents for c in grid}


def _grid(frame: Frame, area: BaseGeometry, cells: Cells) -> dict[Cell, float]:
    """Every grid cell with a real share of the area, and the residents whose cell centre lies in it."""
    s = frame.cell_m
    x0, y0, x1, y1 = area.bounds
    gx = np.arange(math.floor(x0 / s), math.ceil(x1 / s))
    gy = np.arange(math.floor(y0 / s), math.ceil(y1 / s))
    if len(gx) * len(gy) > MAX_CELLS:
        raise QorgauError("districts.area_too_large", status=422, params={"cells": len(gx) * len(gy),
                                                                          "max": MAX_CELLS})
    mx, my = np.meshgrid(gx, gy)
    xx, yy = mx.ravel(), my.ravel()
    boxes = shapely.box(xx * s, yy * s, (xx + 1) * s, (yy + 1) * s)
    share = shapely.area(shapely.intersection(boxes, area)) / (s * s)
    grid: dict[Cell, float] = {(int(a), int(b)): 0.0 for a, b, f in zip(xx, yy, share, strict=True) if f > 0.01}
    for x, y, n in zip(cells.x, cells.y, cells.residents, strict=True):
        key = (math.floor(x / s), math.floor(y / s))
        if key in grid:
            grid[key] += float(n)
    return grid


def _centres(grid: dict[Cell, float], n: int) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Weighted k-means (k-means++ start, fixed seed) on the populated cells' positions."""
    keys = [c for c, w in grid.items() if w > 0] or list(grid)
    pts = np.array(keys, dtype=float) + 0.5
    w = np.array([max(grid[c], 1e-9) for c in keys])
    rng = np.random.default_rng(SEED)
    centres = [pts[rng.choice(len(pts), p=w / w.sum())]]
    while len(centres) < n:
        d2 = np.min(((pts[:, None, :] - np.array(centres)[None, :, :]) ** 2).sum(axis=2), axis=1)
        p = w * d2
        centres.append(pts[rng.choice(len(pts), p=p / p.sum())] if p.sum() > 0 else pts[len(centres) % len(pts)])
    c = np.array(centres)
    for _ in range(30):
        label = np.argmin(((pts[:, None, :] - c[None, :, :]) ** 2).sum(axis=2), axis=1)
        for k in range(n):
            mask = label == k
            if mask.any():
                c[k] = (pts[mask] * w[mask, None]).sum(axis=0) / w[mask].sum()
    return c


def _neighbours(cell: Cell) -> tuple[Cell, ...]:
    x, y = cell
    return (x + 1, y), (x - 1, y), (x, y + 1), (x, y - 1)


def _grow(grid: dict[Cell, float], centres: np.ndarray[Any, np.dtype[np.float64]]) -> dict[Cell, int]:
    """Regions grown from the cells nearest the centres, the least populated region growing first."""
    owner: dict[Cell, int] = {}
    pop = [0.0] * len(centres)
    frontier: list[list[tuple[float, Cell]]] = [[] for _ in centres]

    def dist(k: int, cell: Cell) -> float:
        return math.hypot(cell[0] + 0.5 - centres[k][0], cell[1] + 0.5 - centres[k][1])

    def take(k: int, cell: Cell) -> None:
        owner[cell] = k
        pop[k] += grid[cell]
        for nb in _neighbours(cell):
            if nb in grid and nb not in owner:
                heapq.heappush(frontier[k], (dist(k, nb), nb))

    for k in range(len(centres)):
        start = min((c for c in grid if c not in owner), key=lambda c, k=k: dist(k, c))  # type: ignore[misc]
        take(k, start)
    while len(owner) < len(grid):
        for k in sorted(range(len(centres)), key=lambda i: pop[i]):
            while frontier[k] and frontier[k][0][1] in owner:
                heapq.heappop(frontier[k])
            if frontier[k]:
                take(k, heapq.heappop(frontier[k])[1])
                break
        else:  # islands of the area no region reaches: the nearest centre takes each
            for cell in [c for c in grid if c not in owner]:
                take(min(range(len(centres)), key=lambda i, c=cell: dist(i, c)), cell)  # type: ignore[misc]
    return owner


def _connected(cells: set[Cell]) -> bool:
    if not cells:
        return False
    start = next(iter(cells))
    seen, queue = {start}, deque([start])
    while queue:
        for nb in _neighbours(queue.popleft()):
            if nb in cells and nb not in seen:
                seen.add(nb)
                queue.append(nb)
    return len(seen) == len(cells)


def _best_move(grid: dict[Cell, float], owner: dict[Cell, int], members: list[set[Cell]], pop: list[float],
               stuck: set[Cell]) -> tuple[Cell, int, int] | None:
    """A boundary cell to move off the most populated region, else onto the least populated one."""
    big = max(range(len(pop)), key=lambda i: pop[i])
    small = min(range(len(pop)), key=lambda i: pop[i])
    best: tuple[float, Cell, int, int] | None = None
    for cell in members[big] - stuck:  # off the largest: to its least populated neighbour
        for nb in _neighbours(cell):
            k = owner.get(nb)
            if grid[cell] > 0 and k is not None and k != big and pop[k] + grid[cell] < pop[big] \
                    and (best is None or pop[k] + grid[cell] < best[0]):
                best = (pop[k] + grid[cell], cell, big, k)
    if best is None:
        for cell in members[small]:  # onto the smallest: from its most populated neighbour
            for nb in _neighbours(cell):
                k = owner.get(nb)
                if k is not None and k != small and nb not in stuck and grid[nb] > 0 \
                        and pop[small] + grid[nb] < pop[k] and (best is None or -pop[k] < best[0]):
                    best = (-pop[k], nb, k, small)
    return None if best is None else best[1:]


def _balance(grid: dict[Cell, float], owner: dict[Cell, int], n: int) -> None:
    """Move boundary cells between neighbours while that narrows the spread and keeps regions contiguous."""
    members: list[set[Cell]] = [set() for _ in range(n)]
    pop = [0.0] * n
    for cell, k in owner.items():
        members[k].add(cell)
        pop[k] += grid[cell]
    stuck: set[Cell] = set()  # cells whose removal would split their region, until the next move
    for _ in range(MOVES_PER_CELL * len(grid)):
        move = _best_move(grid, owner, members, pop, stuck)
        if move is None:
            return
        cell, donor, receiver = move
        if not _connected(members[donor] - {cell}):
            stuck.add(cell)
            continue
        stuck.clear()
        members[donor].discard(cell)
        members[receiver].add(cell)
        owner[cell] = receiver
        pop[donor] -= grid[cell]
        pop[receiver] += grid[cell]


def propose(frame: Frame, area: BaseGeometry, cells: Cells, n: int, *,
            workload: Workload | None = None) -> list[Region]:
    """``n`` contiguous districts over ``area`` with residents (mixed with workload when given) as even as the
    grid allows."""
    grid = _mixed(_grid(frame, area, cells), frame, workload)
    n = max(1, min(n, len(grid)))
    owner = _grow(grid, _centres(grid, n))
    _balance(grid, owner, n)
    s = frame.cell_m
    regions: list[Region] = []
    for k in range(n):
        mine = [c for c, o in owner.items() if o == k]
        boxes = [shapely.box(x * s, y * s, (x + 1) * s, (y + 1) * s) for x, y in mine]
        polygon = shapely.union_all(boxes).intersection(area)
        incidents = 0 if workload is None or len(workload.x) == 0 else int(
            np.count_nonzero(shapely.contains_xy(polygon, workload.x, workload.y)))
        regions.append(Region(cells=frozenset(mine), residents=cells.residents_in(polygon), polygon=polygon,
                              incidents=incidents))
    # Numbered from the north-west, as a map is read.
    regions.sort(key=lambda r: (-round(r.polygon.centroid.y / 500), r.polygon.centroid.x))
    return regions
