"""Police districts as the units of hot spots: contiguity from shared boundaries, counts from the cube."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse
from shapely.geometry import shape
from sqlalchemy.orm import Session

from qorgau.core.errors import QorgauError
from qorgau.districts import service as district_service
from qorgau.statistics import hotspots, measures
from qorgau.statistics.cube import Cube


@dataclass(frozen=True)
class DistrictUnits:
    labels: list[str]  # district ids as the cube labels them
    lon: list[float]  # a point inside each district
    lat: list[float]
    contiguity: sparse.csr_matrix  # binary: districts sharing a boundary (no self-weight)


def district_units(session: Session) -> DistrictUnits:
    """The police districts in force as units; two are neighbours when their outlines touch."""
    found = district_service.current(session)
    if found is None or len(found.districts) < 3:
        raise QorgauError("statistics.too_few_cells", status=409)
    shapes = [shape(d.geometry) for d in found.districts]
    rows, cols = [], []
    for i, a in enumerate(shapes):
        for j in range(i + 1, len(shapes)):
            # A tolerance of about a metre: drawn outlines that should share an edge may miss it by rounding.
            if a.distance(shapes[j]) < 1e-5:
                rows += [i, j]
                cols += [j, i]
    points = [s.representative_point() for s in shapes]
    n = len(shapes)
    return DistrictUnits(labels=[str(d.id) for d in found.districts], lon=[p.x for p in points],
                         lat=[p.y for p in points],
                         contiguity=sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n)))


def _counts(cube: Cube, units: DistrictUnits, found: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Counts per unit from counts per district code."""
    vocab = cube.vocab["district"]
    codes = [vocab.find(label) for label in units.labels]
    return np.array([int(found[c]) if c is not None and c < found.size else 0 for c in codes], np.int64)


@dataclass(frozen=True)
class UnitMap:
    counts: npt.NDArray[np.int64]
    overall: hotspots.LocalG
    classified: hotspots.Classified


def gi_map(cube: Cube, units: DistrictUnits, period: measures.Period, where: Mapping[str, Sequence[int]],
           bands: Sequence[tuple[int, int]], *, include_generated: bool) -> UnitMap:
    """Gi* per district for the whole day and each hour band, and the three-level classification."""
    found = cube.select(period.first, period.last, where, include_generated=include_generated)
    size = len(cube.vocab["district"])
    by_hour = found.matrix("district", "hour", (size, 25))[:, 1:]  # hour −1 (unknown) dropped from the bands
    counts = _counts(cube, units, found.bincount("district", size))
    w = sparse.csr_matrix(units.contiguity + sparse.identity(len(units.labels), format="csr"))
    overall = _gi(counts, w)
    by_band = [_gi(_counts(cube, units, by_hour[:, low:high].sum(axis=1)), w) for low, high in bands]
    return UnitMap(counts, overall, hotspots.classify(overall, by_band))


def _gi(counts: npt.NDArray[np.int64], w: sparse.csr_matrix) -> hotspots.LocalG:
    if not counts.sum():
        return hotspots.LocalG(g=np.zeros(counts.size), z=np.zeros(counts.size), p=np.ones(counts.size))
    return hotspots.gi_star(counts, w)


def counts(cube: Cube, units: DistrictUnits, period: measures.Period, where: Mapping[str, Sequence[int]], *,
           include_generated: bool) -> npt.NDArray[np.int64]:
    """Offences per district in the period."""
    found = cube.select(period.first, period.last, where, include_generated=include_generated)
    return _counts(cube, units, found.bincount("district", len(cube.vocab["district"])))
