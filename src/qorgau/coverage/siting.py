"""Where new posts should stand: candidate sites, who each would cover, and the exact maximal / set covering."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_array
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree
from sqlalchemy.orm import Session

from qorgau.city.enums import Mode
from qorgau.city.graph import CityGraph
from qorgau.core.errors import QorgauError
from qorgau.coverage import placement, reach
from qorgau.coverage.config import CoverageSettings
from qorgau.coverage.service import model_inputs, police_points

Ints = NDArray[np.int64]
Floats = NDArray[np.float64]
BATCH = 64  # candidates per Dijkstra call: bounds the dense (batch × nodes) matrix on a large city
NEAR_RESIDENTS_M = 1000.0  # a sampled candidate is a street node this close to a populated cell
PlacementMode = Literal["maximal", "set"]


@dataclass(frozen=True, slots=True)
class Placement:
    mode: PlacementMode
    travel: Mode
    minutes: int
    chosen: list[tuple[float, float]]  # lon, lat of each new post
    before: reach.Share
    after: reach.Share
    solution: placement.Solution
    candidates: int
    demand_points: int
    skipped_residents: float  # set covering with skip_unreachable: residents no candidate reaches


def sample_candidates(graph: CityGraph, demand: reach.Demand, mode: Mode, count: int) -> Ints:
    """Up to ``count`` street nodes near residents, spread by farthest-point sampling (deterministic)."""
    nodes = graph.modes[mode].snap_nodes
    populated = demand.residents > 0
    if not len(nodes) or not populated.any():
        return np.zeros(0, dtype=np.int64)
    x, y = graph.proj.to_xy(demand.lon[populated], demand.lat[populated])
    near, _ = cKDTree(np.column_stack([x, y])).query(graph.xy[nodes], distance_upper_bound=NEAR_RESIDENTS_M)
    pool = nodes[np.isfinite(near)]
    if len(pool) <= count:
        return np.sort(pool).astype(np.int64)
    xy = graph.xy[pool]
    weights = demand.residents[populated]
    start = int(np.argmin(np.hypot(*(xy - np.average(np.column_stack([x, y]), axis=0, weights=weights)).T)))
    chosen = [start]
    gap = np.hypot(*(xy - xy[start]).T)
    for _ in range(count - 1):
        nxt = int(np.argmax(gap))
        chosen.append(nxt)
        gap = np.minimum(gap, np.hypot(*(xy - xy[nxt]).T))
    return np.sort(pool[chosen]).astype(np.int64)


def cover_matrix(graph: CityGraph, demand: reach.Demand, mode: Mode, nodes: Ints, access_s: Floats,
                 factor: float, budget_s: float) -> csr_array:
    """Demand × candidates: 1 where the candidate (a node plus its access leg) reaches the cell within budget."""
    matrix = graph.modes[mode].matrix
    cell_nodes, cell_access = demand.node[mode], demand.access_s[mode]
    rows: list[Ints] = []
    cols: list[Ints] = []
    for start in range(0, len(nodes), BATCH):
        batch = nodes[start:start + BATCH]
        times = dijkstra(matrix, indices=batch, limit=budget_s / factor)
        total = (times[:, cell_nodes] + cell_access[None, :] + access_s[start:start + BATCH, None]) * factor
        cand, cell = np.nonzero(total <= budget_s)
        rows.append(cell.astype(np.int64))
        cols.append(cand.astype(np.int64) + start)
    r = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    c = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
    return csr_array((np.ones(len(r)), (r, c)), shape=(len(demand.residents), len(nodes)))


def _unreachable(demand: reach.Demand, cells: Ints, minutes: int) -> QorgauError:
    weights = demand.residents[cells]
    order = cells[np.argsort(-weights, kind="stable")]
    names = sorted({demand.settlements[s] for s in demand.settlement[cells] if s >= 0})
    listed = [{"lon": round(float(demand.lon[i]), 6), "lat": round(float(demand.lat[i]), 6),
               "residents": int(demand.residents[i]),
               "settlement": demand.settlements[demand.settlement[i]] if demand.settlement[i] >= 0 else None}
              for i in order[:100]]
    return QorgauError("coverage.unreachable_demand", status=422,
                       params={"count": len(cells), "residents": int(weights.sum()), "minutes": minutes,
                               "settlements": ", ".join(names[:5]) or "—"},
                       extra={"unreachable": listed})


def place(session: Session, *, settings: CoverageSettings, mode: PlacementMode, minutes: int, travel: Mode,
          posts: int | None, candidates: list[tuple[float, float]] | None,
          skip_unreachable: bool = False) -> Placement:
    """Solve a placement on the active model; today's police points count as covering already."""
    _, graph, demand = model_inputs(session)
    factor = reach.speed_factor(travel, settings.coverage_walk_speed_kmh)
    budget = minutes * 60.0
    if candidates:
        lons = np.array([c[0] for c in candidates], dtype=np.float64)
        lats = np.array([c[1] for c in candidates], dtype=np.float64)
        nodes, dist = graph.snap(lons, lats, travel)
        access = dist / graph.modes[travel].access_mps
        sites = list(candidates)
    else:
        nodes = sample_candidates(graph, demand, travel, settings.coverage_candidate_sites)
        access = np.zeros(len(nodes))
        sites = [(round(float(graph.lon[n]), 7), round(float(graph.lat[n]), 7)) for n in nodes]
    if not len(nodes):
        raise QorgauError("coverage.no_candidates", status=422)
    points = police_points(session)
    times = reach.node_times(graph, travel, np.array([p.lon for p in points]), np.array([p.lat for p in points]),
                             factor=factor, limit_s=budget)
    before = reach.cell_times(demand, travel, times, factor) <= budget
    problem = placement.Problem(cover=cover_matrix(graph, demand, travel, nodes, access, factor, budget),
                                weights=demand.residents, covered_before=before)
    skipped = 0.0
    try:
        if mode == "maximal":
            if posts is None or posts > len(nodes):
                raise QorgauError("coverage.too_many_posts", status=422,
                                  params={"posts": posts or 0, "candidates": len(nodes)})
            solution = placement.maximal_covering(problem, posts, time_limit_s=settings.coverage_placement_time_limit_s)
        else:
            solution = placement.set_covering(problem, time_limit_s=settings.coverage_placement_time_limit_s,
                                              skip_unreachable=skip_unreachable)
            reached = np.asarray(problem.cover.sum(axis=1)).ravel() > 0
            skipped = float(demand.residents[~reached & ~before].sum())
    except placement.Infeasible as exc:
        if exc.reason == "unreachable":
            raise _unreachable(demand, exc.unreachable, minutes) from exc
        raise QorgauError("coverage.no_solution", status=422,
                          params={"seconds": settings.coverage_placement_time_limit_s}) from exc
    return Placement(mode=mode, travel=travel, minutes=minutes, chosen=[sites[j] for j in solution.chosen],
                     before=reach.shares(demand, before)[0], after=reach.shares(demand, solution.covered)[0],
                     solution=solution, candidates=len(nodes), demand_points=int((demand.residents > 0).sum()),
                     skipped_residents=skipped)
