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


def _distance_m(lon: npt.NDArray[np.float32], lat: npt.NDArray[np.float32], lon0: float,
                lat0: float) -> npt.NDArray[np.float64]:
    ky = math.radians(1) * EARTH_RADIUS_M
    kx = ky * math.cos(math.radians(lat0))
    return np.hypot((lon.astype(np.float64) - lon0) * kx, (lat.astype(np.float64) - lat0) * ky)


def effect(points: Points, cameras: Sequence[Camera], *, radius_m: float, control_inner_m: float,
           control_outer_m: float, window_days: int) -> Effect:
    """The difference in differences over every camera with an installation date, pooled."""
    seen = np.zeros(points.lon.size, bool)
    distances = []
    for cam in cameras:
        d = _distance_m(points.lon, points.lat, cam.lon, cam.lat)
        distances.append(d)
        seen |= d <= radius_m
    rows = []
    for cam, d in zip(cameras, distances, strict=True):
        start = day_of(cam.installed_on)
        before = (points.day >= start - window_days) & (points.day < start)
        after = (points.day >= start) & (points.day < start + window_days)
        treated = d <= radius_m
        control = (d >= control_inner_m) & (d <= control_outer_m) & ~seen
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
