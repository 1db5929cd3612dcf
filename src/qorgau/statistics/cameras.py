"""What the cameras changed: a difference-in-differences of offences in camera view against nearby areas without.

For each camera: offences within ``radius_m`` (its view) and, as the comparison, offences in a ring
``control_inner_m``..``control_outer_m`` around it that no camera sees, each counted over the same window before and
after its installation. Counts are Poisson: the effect is the ratio of ratios (treated after/before over control
after/before) with a standard error on the log scale, and the absolute difference of differences with its own.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from qorgau.statistics.cube import Points, day_of
from qorgau.statistics.hotspots import EARTH_RADIUS_M

Z95 = 1.959963984540054


@dataclass(frozen=True)
class Camera:
    code: str
    lon: float
    lat: float
    installed_on: date


@dataclass(frozen=True)
class Counts:
    treated_before: int
    treated_after: int
    control_before: int
    control_after: int


@dataclass(frozen=True)
class CameraRow:
    camera: Camera
    counts: Counts


@dataclass(frozen=True)
class Effect:
    """The pooled difference in differences with its uncertainty."""

    counts: Counts
    did: int  # (treated after − before) − (control after − before)
    did_se: float  # Poisson: the square root of the four counts' sum
    ratio: float | None  # (treated after/before) / (control after/before); < 1 means fewer offences in view
    ratio_low: float | None  # 95 % interval from the log ratio's standard error
    ratio_high: float | None
    log_se: float | None
    rows: list[CameraRow]


class _Buckets:
    """Points sorted by square cells of the comparison ring's outer radius, so each camera looks at 3 × 3 cells
    of points instead of all of them (ten million points and a hundred cameras would be 10⁹ distances)."""

    def __init__(self, points: Points, cell_m: float, lat0: float) -> None:
        self.ky = math.radians(1) * EARTH_RADIUS_M
        self.kx = self.ky * math.cos(math.radians(lat0))
        self.cell_m = cell_m
        self.x = points.lon.astype(np.float64) * self.kx
        self.y = points.lat.astype(np.float64) * self.ky
        self.key = self._key(np.floor(self.x / cell_m), np.floor(self.y / cell_m))
        self.order = np.argsort(self.key, kind="stable")
        self.sorted_key = self.key[self.order]

    @staticmethod
    def _key(ix: npt.NDArray[np.float64], iy: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
        return (ix.astype(np.int64) << 32) + iy.astype(np.int64)

    def near(self, cam: Camera) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.float64]]:
        """Indexes of the points in the 3 × 3 cells around a camera, and their distances to it (metres)."""
        cx, cy = cam.lon * self.kx, cam.lat * self.ky
        ix, iy = math.floor(cx / self.cell_m), math.floor(cy / self.cell_m)
        found = []
        for dx in (-1, 0, 1):
            keys = self._key(np.full(3, ix + dx, np.float64), np.arange(iy - 1, iy + 2, dtype=np.float64))
            for k in keys:
                lo = int(np.searchsorted(self.sorted_key, k, side="left"))
                hi = int(np.searchsorted(self.sorted_key, k, side="right"))
                found.append(self.order[lo:hi])
        index = np.concatenate(found) if found else np.zeros(0, np.intp)
        return index, np.hypot(self.x[index] - cx, self.y[index] - cy)


def effect(points: Points, cameras: Sequence[Camera], *, radius_m: float, control_inner_m: float,
           control_outer_m: float, window_days: int) -> Effect:
    """The difference in differences over every camera with an installation date, pooled."""
    if not cameras:
        return pooled([])
    # Equirectangular metres around the cameras' mean latitude: within a district the error is far below a metre
    # per 100 m.
    buckets = _Buckets(points, max(control_outer_m, radius_m), float(np.mean([c.lat for c in cameras])))
    seen = np.zeros(points.lon.size, bool)
    near = [buckets.near(cam) for cam in cameras]
    for index, d in near:
        seen[index[d <= radius_m]] = True
    rows = []
    for cam, (index, d) in zip(cameras, near, strict=True):
        start = day_of(cam.installed_on)
        day = points.day[index]
        before = (day >= start - window_days) & (day < start)
        after = (day >= start) & (day < start + window_days)
        treated = d <= radius_m
        control = (d >= control_inner_m) & (d <= control_outer_m) & ~seen[index]
        rows.append(CameraRow(cam, Counts(int((treated & before).sum()), int((treated & after).sum()),
                                          int((control & before).sum()), int((control & after).sum()))))
    return pooled(rows)


def pooled(rows: list[CameraRow]) -> Effect:
    """Sum the cameras' counts and estimate the effect with its Poisson uncertainty."""
    tb = sum(r.counts.treated_before for r in rows)
    ta = sum(r.counts.treated_after for r in rows)
    cb = sum(r.counts.control_before for r in rows)
    ca = sum(r.counts.control_after for r in rows)
    counts = Counts(tb, ta, cb, ca)
    did = (ta - tb) - (ca - cb)
    did_se = math.sqrt(tb + ta + cb + ca)
    if min(tb, ta, cb, ca) == 0:
        # A zero count leaves the ratio undefined and its log standard error infinite: say so, do not guess.
        return Effect(counts, did, did_se, None, None, None, None, rows)
    ratio = (ta / tb) / (ca / cb)
    log_se = math.sqrt(1 / tb + 1 / ta + 1 / cb + 1 / ca)
    return Effect(counts, did, did_se, ratio, ratio * math.exp(-Z95 * log_se), ratio * math.exp(Z95 * log_se),
                  log_se, rows)
