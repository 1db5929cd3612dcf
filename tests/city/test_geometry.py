"""Plane geometry helpers and the population share (pure functions, property-tested)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qorgau.city.aksai.facts import share
from qorgau.city.geometry import (
    LocalProjection,
    centroid,
    contains,
    convex_hull,
    haversine_m,
    merge_chains,
    point_along,
    polyline_length_m,
)

COORD = st.floats(min_value=-10, max_value=10, allow_nan=False)


def test_contains_respects_holes_and_multipolygons() -> None:
    square = [[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]]
    hole = [[1, 1], [3, 1], [3, 3], [1, 3], [1, 1]]
    polygon = {"type": "Polygon", "coordinates": [square, hole]}
    assert contains(polygon, [0.5, 2, 5], [0.5, 2, 2]).tolist() == [True, False, False]
    multi = {"type": "MultiPolygon", "coordinates": [[square], [[[10, 10], [11, 10], [11, 11], [10, 10]]]]}
    assert contains(multi, [2, 10.8, 10.2], [2, 10.5, 10.8]).tolist() == [True, True, False]
    assert centroid({"type": "Polygon", "coordinates": [square]}) == pytest.approx((2, 2))


@given(st.lists(st.tuples(COORD, COORD), min_size=3, max_size=40, unique=True))
def test_the_convex_hull_holds_every_point(points: list[tuple[float, float]]) -> None:
    hull = convex_hull(points)
    assert hull[0] == hull[-1] and set(hull) <= set(points)
    if len(hull) >= 4:  # not all on one line
        polygon = {"type": "Polygon", "coordinates": [[list(p) for p in hull]]}
        inner = [p for p in points if p not in hull]
        # ray casting is exact inside; points on the hull's edges may count either way, so shrink them inward
        cx, cy = sum(p[0] for p in hull[:-1]) / (len(hull) - 1), sum(p[1] for p in hull[:-1]) / (len(hull) - 1)
        shrunk = [(cx + 0.999 * (x - cx), cy + 0.999 * (y - cy)) for x, y in inner]
        assert contains(polygon, [p[0] for p in shrunk], [p[1] for p in shrunk]).all()


@given(st.lists(st.tuples(st.integers(0, 12), st.integers(0, 12)).filter(lambda e: e[0] != e[1]), max_size=40))
def test_chains_use_every_segment_once(segments: list[tuple[int, int]]) -> None:
    chains = merge_chains(segments)
    used = sorted(tuple(sorted(pair)) for chain in chains for pair in itertools.pairwise(chain))
    assert used == sorted(tuple(sorted(pair)) for pair in segments)


@given(st.integers(0, 100_000), st.dictionaries(st.text(min_size=1, max_size=5), st.integers(1, 10_000),
                                                 min_size=1, max_size=30))
def test_share_adds_up_exactly_and_stays_proportional(total: int, weights: dict[str, int]) -> None:
    parts = share(total, weights)
    assert sum(parts.values()) == total
    weight_sum = sum(weights.values())
    assert all(abs(parts[k] - total * w / weight_sum) < 1 for k, w in weights.items())


def test_projection_and_distances_agree() -> None:
    proj = LocalProjection(53.0, 51.17)
    lon, lat = proj.point(3000.0, -4000.0)
    assert float(haversine_m(53.0, 51.17, lon, lat)) == pytest.approx(5000, rel=2e-3)
    line = [proj.point(0, 0), proj.point(1000, 0), proj.point(1000, 1000)]
    assert polyline_length_m(line) == pytest.approx(2000, rel=2e-3)
    mid = point_along(line, 0.5)
    assert float(haversine_m(mid[0], mid[1], *line[1])) < 5
