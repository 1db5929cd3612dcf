"""Hot spots with numpy and scipy: grids, kernel density, Getis-Ord Gi*, global Moran's I, patrol classification.

Written against the formulas PySAL's esda uses (checked on its Columbus data to 1e-9 in the tests) but without
esda or numba at run time: esda's first Gi* compiles for about 11.5 s, and the first hot-spot map after a server
start must cost no more than a warm one. Weights are scipy sparse matrices, so a 22,000-cell grid is cheap.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse, stats
from scipy.signal import fftconvolve

Floats = npt.NDArray[np.float64]
EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True)
class Grid:
    """Square cells of ``cell_m`` metres from a south-west corner, in equirectangular metres around it."""

    lon0: float
    lat0: float
    cell_m: float
    nx: int
    ny: int

    @classmethod
    def over(cls, min_lon: float, min_lat: float, max_lon: float, max_lat: float, cell_m: float) -> Grid:
        """The grid covering a bounding box."""
        kx, ky = _metres_per_degree(min_lat)
        nx = max(1, math.ceil((max_lon - min_lon) * kx / cell_m))
        ny = max(1, math.ceil((max_lat - min_lat) * ky / cell_m))
        return cls(min_lon, min_lat, cell_m, nx, ny)

    @property
    def size(self) -> int:
        return self.nx * self.ny

    def counts(self, lon: npt.NDArray[Any], lat: npt.NDArray[Any]) -> npt.NDArray[np.int64]:
        """Points per cell as an (ny, nx) array; points outside the grid are left out."""
        kx, ky = _metres_per_degree(self.lat0)
        ix = np.floor((np.asarray(lon, np.float64) - self.lon0) * kx / self.cell_m).astype(np.int64)
        iy = np.floor((np.asarray(lat, np.float64) - self.lat0) * ky / self.cell_m).astype(np.int64)
        inside = (ix >= 0) & (ix < self.nx) & (iy >= 0) & (iy < self.ny)
        flat = np.bincount(iy[inside] * self.nx + ix[inside], minlength=self.size)
        return flat.reshape(self.ny, self.nx)

    def centre(self, flat_index: npt.NDArray[np.int64]) -> tuple[Floats, Floats]:
        """Lon/lat of cell centres by flat index (row-major, south row first)."""
        kx, ky = _metres_per_degree(self.lat0)
        iy, ix = np.divmod(flat_index, self.nx)
        return self.lon0 + (ix + 0.5) * self.cell_m / kx, self.lat0 + (iy + 0.5) * self.cell_m / ky


def _metres_per_degree(lat: float) -> tuple[float, float]:
    ky = math.radians(1) * EARTH_RADIUS_M
    return ky * math.cos(math.radians(lat)), ky


def queen_weights(grid: Grid, active: npt.NDArray[np.bool_], *, star: bool = True) -> sparse.csr_matrix:
    """Binary queen contiguity between the active cells of a grid (the cell itself too with ``star``)."""
    index = np.flatnonzero(active.ravel())
    position = np.full(grid.size, -1, np.int64)
    position[index] = np.arange(index.size)
    iy, ix = np.divmod(index, grid.nx)
    rows, cols = [], []
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            if dx == 0 and dy == 0 and not star:
                continue
            ny, nx = iy + dy, ix + dx
            ok = (ny >= 0) & (ny < grid.ny) & (nx >= 0) & (nx < grid.nx)
            target = np.full(index.size, -1, np.int64)
            target[ok] = position[ny[ok] * grid.nx + nx[ok]]
            keep = target >= 0
            rows.append(np.flatnonzero(keep))
            cols.append(target[keep])
    r, c = np.concatenate(rows), np.concatenate(cols)
    return sparse.csr_matrix((np.ones(r.size), (r, c)), shape=(index.size, index.size))


def row_standardise(w: sparse.csr_matrix) -> sparse.csr_matrix:
    """Each row divided by its sum (rows without neighbours stay zero)."""
    sums = np.asarray(w.sum(axis=1)).ravel()
    scale = np.divide(1.0, sums, out=np.zeros_like(sums), where=sums > 0)
    return sparse.csr_matrix(sparse.diags(scale) @ w)


@dataclass(frozen=True)
class LocalG:
    g: Floats
    z: Floats
    p: Floats  # one-sided normal p-value of |z|, as esda's p_norm


def gi_star(y: npt.NDArray[Any], w: sparse.csr_matrix) -> LocalG:
    """Getis-Ord Gi* of ``y`` with weights ``w`` that carry the self-weight on their diagonal.

    The analytical moments are esda.G_Local's with star: E[G] = w_i./n and Var[G] from the sample's mean and
    variance, so the values agree with esda to rounding.
    """
    values = np.asarray(y, np.float64)
    n = values.size
    total = values.sum()
    g = (w @ values) / total
    mean = total / n
    variance = (values**2).sum() / n - mean**2
    cardinality = np.asarray(w.sum(axis=1)).ravel()
    expected = cardinality / n
    var_g = cardinality * (n - cardinality) / (n - 1) / n**2 * variance / mean**2
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(var_g > 0, (g - expected) / np.sqrt(var_g), 0.0)
    return LocalG(g=g, z=z, p=stats.norm.sf(np.abs(z)))


@dataclass(frozen=True)
class Moran:
    i: float
    expected: float
    z_norm: float
    p_norm: float  # two-sided, under the normality assumption
    z_rand: float
    p_rand: float  # two-sided, under randomisation


def moran(y: npt.NDArray[Any], w: sparse.csr_matrix) -> Moran:
    """Global Moran's I with its normal and randomisation approximations (as esda.Moran, two-tailed)."""
    values = np.asarray(y, np.float64)
    n = values.size
    z = values - values.mean()
    s0 = float(w.sum())
    wt = w + w.T
    s1 = float(wt.multiply(wt).sum()) / 2.0
    s2 = float(((np.asarray(w.sum(axis=1)).ravel() + np.asarray(w.sum(axis=0)).ravel()) ** 2).sum())
    i = n / s0 * float(z @ (w @ z)) / float(z @ z)
    expected = -1.0 / (n - 1)
    var_norm = (n * n * s1 - n * s2 + 3 * s0 * s0) / ((n * n - 1) * s0 * s0) - expected**2
    k = (n * (z**4).sum()) / float(z @ z) ** 2
    var_rand = ((n * ((n * n - 3 * n + 3) * s1 - n * s2 + 3 * s0 * s0)
                 - k * ((n * n - n) * s1 - 2 * n * s2 + 6 * s0 * s0))
                / ((n - 1) * (n - 2) * (n - 3) * s0 * s0) - expected**2)
    z_norm = (i - expected) / math.sqrt(var_norm)
    z_rand = (i - expected) / math.sqrt(var_rand)
    return Moran(i=i, expected=expected, z_norm=z_norm, p_norm=2 * float(stats.norm.sf(abs(z_norm))),
                 z_rand=z_rand, p_rand=2 * float(stats.norm.sf(abs(z_rand))))


def kde(counts: npt.NDArray[Any], cell_m: float, bandwidth_m: float) -> Floats:
    """Kernel density (offences per km²) of gridded counts with a quartic (biweight) kernel of radius bandwidth."""
    reach = max(1, math.ceil(bandwidth_m / cell_m))
    offsets = np.arange(-reach, reach + 1) * cell_m
    dx, dy = np.meshgrid(offsets, offsets)
    u2 = (dx**2 + dy**2) / bandwidth_m**2
    kernel = np.where(u2 < 1, 3.0 / (math.pi * bandwidth_m**2) * (1 - u2) ** 2, 0.0)
    kernel /= kernel.sum() * cell_m**2  # the discrete kernel integrates to one over the grid
    density = fftconvolve(np.asarray(counts, np.float64), kernel, mode="same")
    return np.clip(density, 0.0, None) * 1e6


class Level(StrEnum):
    """The three levels patrol planning uses."""

    SAFE = "safe"
    UNSAFE_AT_HOURS = "unsafe_at_hours"
    UNSAFE = "unsafe"


@dataclass(frozen=True)
class Classified:
    level: list[Level]
    bands: list[list[int]]  # per cell, the hot hour bands (index into the bands given)


def classify(overall: LocalG, by_band: list[LocalG], *, alpha: float = 0.05) -> Classified:
    """Unsafe: significantly hot overall; unsafe at certain hours: hot in some hour bands only; otherwise safe.

    "Hot" is a positive z with a one-sided p below ``alpha``.
    """
    hot = (overall.z > 0) & (overall.p < alpha)
    band_hot = np.array([(b.z > 0) & (b.p < alpha) for b in by_band]) if by_band else np.zeros((0, hot.size), bool)
    levels: list[Level] = []
    bands: list[list[int]] = []
    for cell in range(hot.size):
        hot_bands = [int(b) for b in np.flatnonzero(band_hot[:, cell])]
        bands.append(hot_bands)
        levels.append(Level.UNSAFE if hot[cell] else Level.UNSAFE_AT_HOURS if hot_bands else Level.SAFE)
    return Classified(level=levels, bands=bands)
