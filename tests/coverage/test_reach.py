"""Reach, coverage and isochrone outlines on a small street grid: nesting, sums, and outlines that match the raster."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from qorgau.city.enums import Mode
from qorgau.city.geometry import LocalProjection
from qorgau.city.graph import CityGraph
from qorgau.coverage import outline, reach

SIDE = 12  # nodes per side, 100 m apart
PROJ = LocalProjection(53.0, 51.17)


def _grid_graph() -> CityGraph:
    xs, ys = np.meshgrid(np.arange(SIDE) * 100.0, np.arange(SIDE) * 100.0)
    lon, lat = PROJ.to_lonlat(xs.ravel(), ys.ravel())
    index = np.arange(SIDE * SIDE).reshape(SIDE, SIDE)
    src = np.concatenate([index[:, :-1].ravel(), index[:-1, :].ravel()])
    dst = np.concatenate([index[:, 1:].ravel(), index[1:, :].ravel()])
    n = len(src)
    edges = {"source": src, "target": dst, "length_m": np.full(n, 100.0), "speed_kmh": np.full(n, 30.0),
             "drive": np.ones(n, dtype=bool), "walk": np.ones(n, dtype=bool), "oneway": np.zeros(n, dtype=bool)}
    return CityGraph(1, np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64), edges)


GRAPH = _grid_graph()
CELLS = [(float(lon), float(lat), gx, gy, 10 + (gx * 7 + gy * 3) % 40, "A" if gx < 5 else "B")
         for gx in range(11) for gy in range(11)
         for lon, lat in [PROJ.to_lonlat(gx * 100.0 + 50.0, gy * 100.0 + 50.0)]]
DEMAND = reach.build_demand(GRAPH, CELLS)
GRID = outline.Grid.over(GRAPH, 50.0)
positions = st.lists(st.tuples(st.floats(0, 1100), st.floats(0, 1100)), min_size=1, max_size=4)
budgets = st.lists(st.floats(30, 1500), min_size=3, max_size=3).map(sorted)


def test_one_search_gives_each_node_its_nearest_point() -> None:
    lon, lat = PROJ.to_lonlat(np.array([0.0, 1100.0]), np.array([0.0, 1100.0]))
    times = reach.node_times(GRAPH, Mode.WALK, lon, lat, factor=1.0)
    seconds_per_100m = 100 / (5.0 / 3.6)
    assert times[0] < 1e-2 and times[-1] < 1e-2
    assert abs(times[5 * SIDE + 6] - 11 * seconds_per_100m) < 1.0  # 11 blocks from either corner
    assert abs(times[6 * SIDE + 6] - 10 * seconds_per_100m) < 1.0  # 10 from the nearer one
    slower = reach.node_times(GRAPH, Mode.WALK, lon, lat, factor=reach.speed_factor(Mode.WALK, 4.5))
    assert np.allclose(slower[np.isfinite(slower)], times[np.isfinite(times)] * 5.0 / 4.5)


@settings(max_examples=25, deadline=None)
@given(points=positions, limits=budgets)
def test_isochrones_and_coverage_are_nested(points: list[tuple[float, float]], limits: list[float]) -> None:
    lon, lat = PROJ.to_lonlat(np.array([p[0] for p in points]), np.array([p[1] for p in points]))
    times = reach.node_times(GRAPH, Mode.WALK, np.asarray(lon), np.asarray(lat), factor=1.0)
    masks = [outline.reached_mask(GRAPH, GRAPH.modes[Mode.WALK], times, b, GRID).full(GRID) for b in limits]
    covered = [reach.cell_times(DEMAND, Mode.WALK, times, 1.0) <= b for b in limits]
    for small, large in itertools.pairwise(masks):
        assert not (small & ~large).any()  # 5 ⊂ 10 ⊂ 15
    for small, large in itertools.pairwise(covered):
        assert not (small & ~large).any()
    for cover in covered:
        overall, per = reach.shares(DEMAND, cover)
        assert overall.residents == DEMAND.total == sum(s.residents for _, s in per)
        assert overall.covered == sum(s.covered for _, s in per) == DEMAND.residents[cover].sum()
        assert 0.0 <= overall.share <= 1.0


@settings(max_examples=40, deadline=None)
@given(cells=st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7)), max_size=40))
def test_outline_rings_enclose_exactly_the_marked_squares(cells: list[tuple[int, int]]) -> None:
    mask = np.zeros((8, 8), dtype=bool)
    for r, c in cells:
        mask[r, c] = True
    area = 0.0
    for polygon in outline.polygons(mask):
        outer, *holes = polygon
        assert outer[0] == outer[-1] and outline._area(outer) > 0
        area += outline._area(outer) + sum(outline._area(hole) for hole in holes)  # holes are negative
    assert area == mask.sum()
    # Every marked square's centre is inside exactly one polygon (and outside its holes).
    for r, c in zip(*np.nonzero(mask), strict=True):
        inside = [p for p in outline.polygons(mask)
                  if outline._inside((c + 0.5, r + 0.5), p[0])
                  and not any(outline._inside((c + 0.5, r + 0.5), h) for h in p[1:])]
        assert len(inside) == 1


def test_uncovered_clusters_are_ranked_by_residents() -> None:
    covered = DEMAND.gx >= 3  # two strips of uncovered cells: gx 0..2
    covered[(DEMAND.gx == 1)] = True  # split them: columns 0 and 2 do not touch
    clusters = reach.uncovered_clusters(DEMAND, covered)
    assert len(clusters) == 2
    assert clusters[0].residents >= clusters[1].residents
    assert sum(c.residents for c in clusters) == DEMAND.residents[~covered].sum()
    assert {c.settlement for c in clusters} == {"A"}


def test_no_police_points_cover_no_one_and_draw_nothing() -> None:
    times = reach.node_times(GRAPH, Mode.WALK, np.zeros(0), np.zeros(0), factor=1.0)
    assert np.isinf(times).all()
    raster = outline.reached_mask(GRAPH, GRAPH.modes[Mode.WALK], times, 900.0, GRID)
    assert outline.to_geojson(raster, GRID, GRAPH) == {"type": "MultiPolygon", "coordinates": []}
    covered = reach.cell_times(DEMAND, Mode.WALK, times, 1.0) <= 900.0
    assert not covered.any() and reach.shares(DEMAND, covered)[0].covered == 0
    assert sum(c.residents for c in reach.uncovered_clusters(DEMAND, covered)) == DEMAND.total  # one grid, one cluster


def test_a_clusters_outline_covers_its_cells() -> None:
    from qorgau.city.geometry import contains
    from qorgau.coverage.service import cluster_geometry

    covered = DEMAND.gx >= 3
    (cluster,) = reach.uncovered_clusters(DEMAND, covered)
    geometry = cluster_geometry(DEMAND, cluster)
    inside = contains(geometry, DEMAND.lon, DEMAND.lat)
    assert (inside == ~covered).all()  # every cell centre of the cluster inside, every other one outside
    (polygon,) = geometry["coordinates"]
    assert len(polygon[0]) == 5  # a 3 × 11 block of cells: one rectangle
