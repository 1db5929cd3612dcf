"""In-memory graphs: one-ways, symmetric walking, consistency of one-to-many with one-to-one, speed of ranking."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qorgau.city.dataset import ModelData
from qorgau.city.enums import ACCESS_SPEED_KMH, WALK_SPEED_KMH, Mode
from qorgau.city.geometry import LocalProjection, haversine_m
from qorgau.city.graph import CityGraph

PROJ = LocalProjection(53.0, 51.0)


def graph_of(data: ModelData) -> CityGraph:
    fields = ("source", "target", "length_m", "speed_kmh", "drive", "walk", "oneway")
    edges: dict[str, Any] = {f: np.array([getattr(e, f) for e in data.edges]) for f in fields}
    return CityGraph(1, np.array(data.lons), np.array(data.lats), edges)


def grid(oneway: tuple[int, int] | None = None, duplicate: bool = False) -> tuple[CityGraph, list[tuple[float, float]]]:
    """A 3 × 3 grid of 100 m blocks, 36 km/h (10 m/s) everywhere; optionally one one-way edge."""
    from qorgau.city.dataset import NetworkBuilder

    data = ModelData(name="t", source="test", licence="-", generated=True, boundary={})
    builder = NetworkBuilder(data)
    points = [PROJ.point(100.0 * i, 100.0 * j) for j in range(3) for i in range(3)]
    nodes = [builder.node(*p) for p in points]
    for j in range(3):
        for i in range(3):
            k = 3 * j + i
            for other in ([k + 1] if i < 2 else []) + ([k + 3] if j < 2 else []):
                builder.edge(nodes[k], nodes[other], highway="residential", speed_kmh=36, drive=True, walk=True,
                             oneway=(k, other) == oneway)
    if duplicate:  # a slower parallel edge must not be summed with the fast one
        builder.edge(nodes[0], nodes[1], highway="service", speed_kmh=5, drive=True, walk=True)
    return graph_of(data), points


def test_route_on_a_grid_follows_the_streets() -> None:
    g, points = grid(duplicate=True)
    route = g.route(points[0], points[8], Mode.DRIVE)
    assert route is not None
    assert route.meters == pytest.approx(400, rel=1e-3)
    assert route.seconds == pytest.approx(40, rel=1e-3)
    assert route.coordinates[0] == points[0] and route.coordinates[-1] == points[8]
    assert g.route(points[0], points[1], Mode.DRIVE).seconds == pytest.approx(10, rel=1e-3)  # type: ignore[union-attr]


def test_one_way_edge_is_never_driven_against() -> None:
    g, points = grid(oneway=(0, 1))
    ahead = g.route(points[0], points[1], Mode.DRIVE)
    back = g.route(points[1], points[0], Mode.DRIVE)
    assert ahead is not None and back is not None
    assert ahead.nodes == [0, 1]
    assert back.meters == pytest.approx(300, rel=1e-3)  # around the block: 1 → 4 → 3 → 0
    assert back.nodes != [1, 0]
    walk = g.route(points[1], points[0], Mode.WALK)
    assert walk is not None and walk.nodes == [1, 0]  # pedestrians ignore one-way signs


def test_travel_times_to_matches_routes_from_every_node() -> None:
    g, points = grid(oneway=(4, 5))
    to_centre = g.travel_times_to(*points[4], Mode.DRIVE)
    for k, p in enumerate(points):
        route = g.route(p, points[4], Mode.DRIVE)
        assert route is not None
        assert to_centre[k] == pytest.approx(route.seconds, abs=1e-6)
    ranked = g.times_to([p[0] for p in points], [p[1] for p in points], points[4], Mode.DRIVE)
    assert ranked == pytest.approx(to_centre)


def test_access_legs_count_at_their_own_speed() -> None:
    g, points = grid()
    off = PROJ.point(0.0, -50.0)  # 50 m south of node 0, off the network
    walk = g.route(off, points[0], Mode.WALK)
    drive = g.route(off, points[0], Mode.DRIVE)
    assert walk is not None and drive is not None
    assert walk.seconds == pytest.approx(50 / (WALK_SPEED_KMH / 3.6), rel=1e-2)
    assert drive.seconds == pytest.approx(50 / (ACCESS_SPEED_KMH[Mode.DRIVE] / 3.6), rel=1e-2)
    assert walk.meters == pytest.approx(50, rel=1e-2)


@pytest.fixture(scope="module")
def aksai_graph(aksai_data: ModelData) -> CityGraph:
    return graph_of(aksai_data)


NODE = st.integers(min_value=0, max_value=10**9)


@settings(max_examples=60, deadline=None)
@given(a=NODE, b=NODE, c=NODE)
def test_walk_times_are_symmetric_and_obey_the_triangle_inequality(aksai_graph: CityGraph, a: int, b: int,
                                                                    c: int) -> None:
    g = aksai_graph
    n = g.node_count
    pa, pb, pc = ((float(g.lon[k % n]), float(g.lat[k % n])) for k in (a, b, c))
    ab, ba = g.route(pa, pb, Mode.WALK), g.route(pb, pa, Mode.WALK)
    bc, ac = g.route(pb, pc, Mode.WALK), g.route(pa, pc, Mode.WALK)
    assert ab is not None and ba is not None and bc is not None and ac is not None
    assert ab.seconds == pytest.approx(ba.seconds, rel=1e-9, abs=1e-6)
    assert ac.seconds <= ab.seconds + bc.seconds + 1e-6


@pytest.fixture(scope="module")
def top_speed_mps(aksai_data: ModelData) -> float:
    return max(e.speed_kmh for e in aksai_data.edges) / 3.6


@settings(max_examples=60, deadline=None)
@given(a=NODE, b=NODE)
def test_drive_time_is_never_faster_than_the_crow_at_top_speed(aksai_graph: CityGraph, top_speed_mps: float,
                                                                 a: int, b: int) -> None:
    g = aksai_graph
    pa = (float(g.lon[a % g.node_count]), float(g.lat[a % g.node_count]))
    pb = (float(g.lon[b % g.node_count]), float(g.lat[b % g.node_count]))
    route = g.route(pa, pb, Mode.DRIVE)
    assert route is not None
    crow = float(haversine_m(pa[0], pa[1], pb[0], pb[1]))
    # Edge lengths are stored to the centimetre, so a straight route may come out a hair under the crow.
    assert route.seconds >= crow / top_speed_mps * (1 - 1e-4)
    assert route.meters >= crow * (1 - 1e-4)


def test_ranking_a_hundred_units_by_road_time_agrees_with_their_routes(aksai_graph: CityGraph) -> None:
    """One reverse search ranks 100 units as their own routes would (its speed is bench/dispatch_recommend.py's
    business, not a unit test's: a deadline here only measures how busy the machine is)."""
    rng = np.random.default_rng(7)
    incident = (53.011478, 51.173893)
    for _ in range(5):
        lons, lats = rng.uniform(52.98, 53.04, 100), rng.uniform(51.16, 51.19, 100)
        seconds = aksai_graph.times_to(lons, lats, incident, Mode.DRIVE)
        assert np.all(np.isfinite(seconds))
        # A route adds the same walk from the road to the incident for every unit: the difference is constant.
        gaps = []
        for i in np.argsort(seconds)[:10]:
            route = aksai_graph.route((float(lons[i]), float(lats[i])), incident, Mode.DRIVE)
            assert route is not None
            gaps.append(route.seconds - float(seconds[i]))
        assert max(gaps) - min(gaps) < 1e-6 and min(gaps) > -1e-6
