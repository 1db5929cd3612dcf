"""The cameras' difference in differences on a synthetic district with a known effect."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest

from qorgau.statistics import cameras
from qorgau.statistics.cube import Points, day_of

LON0, LAT0 = 51.17, 51.17
M_LAT = 1 / 111_195.0
M_LON = M_LAT / math.cos(math.radians(LAT0))


def _around(rng: np.random.Generator, n: int, lon: float, lat: float, low_m: float, high_m: float,
            first: date, days: int) -> Points:
    radius = np.sqrt(rng.uniform(low_m**2, high_m**2, n))
    angle = rng.uniform(0, 2 * math.pi, n)
    return Points(lon=(lon + radius * np.cos(angle) * M_LON).astype(np.float32),
                  lat=(lat + radius * np.sin(angle) * M_LAT).astype(np.float32),
                  hour=np.zeros(n, np.int8), day=(day_of(first) + rng.integers(0, days, n)).astype(np.int32))


def _synthetic(effect: float, seed: int) -> tuple[Points, list[cameras.Camera]]:
    """Ten cameras installed 1 Jan 2025; in view the rate falls by ``effect``, everywhere it rises 10 %."""
    rng = np.random.default_rng(seed)
    parts, found = [], []
    for k in range(10):
        lon, lat = LON0 + k * 0.02, LAT0
        found.append(cameras.Camera(f"CAM-{k}", lon, lat, date(2025, 1, 1)))
        for low, high, before, after in [(0, 90, 60, 60 * 1.1 * effect), (210, 490, 120, 132)]:
            parts.append(_around(rng, rng.poisson(before), lon, lat, low, high, date(2024, 1, 1), 366))
            parts.append(_around(rng, rng.poisson(after), lon, lat, low, high, date(2025, 1, 1), 365))
    return Points(*(np.concatenate([getattr(p, f) for p in parts]) for f in ("lon", "lat", "hour", "day"))), found


def test_a_known_drop_in_view_is_estimated_within_its_interval() -> None:
    points, found = _synthetic(0.6, seed=3)
    result = cameras.effect(points, found, radius_m=100, control_inner_m=200, control_outer_m=500, window_days=365)
    assert result.ratio is not None and result.ratio_low is not None and result.ratio_high is not None
    assert result.ratio_low < 0.6 < result.ratio_high
    assert result.ratio_high < 1  # the drop is significant at 95 %
    assert result.did < 0 and result.did_se == pytest.approx(math.sqrt(sum(vars(result.counts).values())))
    assert len(result.rows) == 10 and sum(r.counts.treated_before for r in result.rows) == result.counts.treated_before


def test_no_effect_gives_an_interval_holding_one_and_zero_counts_give_no_ratio() -> None:
    points, found = _synthetic(1.0, seed=5)
    result = cameras.effect(points, found, radius_m=100, control_inner_m=200, control_outer_m=500, window_days=365)
    assert result.ratio_low is not None and result.ratio_high is not None
    assert result.ratio_low < 1 < result.ratio_high
    empty = cameras.effect(points, [cameras.Camera("FAR", 60.0, 40.0, date(2025, 1, 1))], radius_m=100,
                           control_inner_m=200, control_outer_m=500, window_days=365)
    assert empty.ratio is None and empty.did == 0


def test_the_cell_index_finds_what_every_distance_would() -> None:
    points, found = _synthetic(0.6, seed=9)
    result = cameras.effect(points, found, radius_m=100, control_inner_m=200, control_outer_m=500, window_days=365)
    ky = math.radians(1) * 6_371_008.8
    kx = ky * math.cos(math.radians(LAT0))
    distances = [np.hypot((points.lon.astype(float) - c.lon) * kx, (points.lat.astype(float) - c.lat) * ky)
                 for c in found]
    seen = np.any([d <= 100 for d in distances], axis=0)
    start = day_of(date(2025, 1, 1))
    before = (points.day >= start - 365) & (points.day < start)
    after = (points.day >= start) & (points.day < start + 365)
    for row, d in zip(result.rows, distances, strict=True):
        control = (d >= 200) & (d <= 500) & ~seen
        assert vars(row.counts) == {"treated_before": int(((d <= 100) & before).sum()),
                                    "treated_after": int(((d <= 100) & after).sum()),
                                    "control_before": int((control & before).sum()),
                                    "control_after": int((control & after).sum())}
