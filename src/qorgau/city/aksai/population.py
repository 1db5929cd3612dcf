"""Residents on a 100 m grid: the official totals, spread over the generated blocks and village grids."""

from __future__ import annotations

import math

import numpy as np

from qorgau.city.aksai.district import Village
from qorgau.city.aksai.facts import AKSAI_POPULATION, Settlement, share
from qorgau.city.aksai.town import Town
from qorgau.city.dataset import CellData
from qorgau.city.geometry import LocalProjection

CELL_M = 100.0
# Residents per cell relative to private houses: five-storey apartment microdistricts are about five times as dense.
DENSITY = {"apartments": 5.0, "houses": 1.0}

Cell = tuple[int, int]


def _cells_in(rect: tuple[float, float, float, float]) -> list[Cell]:
    """Grid cells whose centre lies inside a rectangle in metres."""
    x0, y0, x1, y1 = rect
    xs = range(math.ceil(x0 / CELL_M - 0.5), math.floor(x1 / CELL_M - 0.5) + 1)
    ys = range(math.ceil(y0 / CELL_M - 0.5), math.floor(y1 / CELL_M - 0.5) + 1)
    return [(gx, gy) for gx in xs for gy in ys]


def _key(cell: Cell) -> str:
    return f"{cell[0]},{cell[1]}"


def _spread(total: int, weights: dict[Cell, float]) -> dict[Cell, int]:
    """Integers per cell in proportion to the weights, adding up to ``total`` exactly."""
    scaled = {_key(c): max(1, round(w * 1000)) for c, w in weights.items()}
    shares = share(total, scaled)
    return {c: shares[_key(c)] for c in weights}


def population_cells(town: Town, villages: list[Village], proj: LocalProjection,
                     rng: np.random.Generator) -> list[CellData]:
    """Cells of the town (residential blocks only) and of every village with a population share."""
    residents: dict[Cell, tuple[int, str]] = {}
    weights: dict[Cell, float] = {}
    for block in town.blocks:
        density = DENSITY.get(block.use)
        if density is None:
            continue
        for cell in _cells_in(block.rect):
            # Buildings differ: ±25 % from cell to cell, deterministic under the fixed seed.
            weights[cell] = density * float(rng.uniform(0.75, 1.25))
    for cell, count in _spread(AKSAI_POPULATION, weights).items():
        residents[cell] = (count, "Ақсай")
    for village in villages:
        settlement: Settlement = village.settlement
        if not settlement.population:
            continue  # no population figure in any source: no residents are invented for it
        x0, y0 = village.centre
        half = village.half + 40.0
        cells = [c for c in _cells_in((x0 - half, y0 - half, x0 + half, y0 + half)) if c not in residents]
        if not cells:
            cells = [(math.floor(x0 / CELL_M), math.floor(y0 / CELL_M))]
        village_weights = {c: float(rng.uniform(0.75, 1.25)) for c in cells}
        for cell, count in _spread(settlement.population, village_weights).items():
            residents[cell] = (count, settlement.name)
    cells_out = []
    for (gx, gy), (count, name) in sorted(residents.items()):
        if count == 0:
            continue
        lon, lat = proj.to_lonlat((gx + 0.5) * CELL_M, (gy + 0.5) * CELL_M)
        cells_out.append(CellData(gx=gx, gy=gy, lon=round(float(lon), 7), lat=round(float(lat), 7),
                                  residents=count, settlement=name, generated=True))
    return cells_out
