"""Travel times from many points at once, residents' cells on the network, and who is covered within a time."""

# One Dijkstra from a virtual source joined to every police point's nearest node (weighted by the walk to it)
# gives each node its time from the nearest point: the cost of one search, whatever the number of points.
# The graph's walk weights are at the model's walking speed; a configured speed scales them.

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_array
from scipy.sparse.csgraph import connected_components, dijkstra

from qorgau.city.enums import WALK_SPEED_KMH, Mode
from qorgau.city.graph import MIN_EDGE_SECONDS, CityGraph

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]
Bools = NDArray[np.bool_]


def speed_factor(mode: Mode, walk_speed_kmh: float) -> float:
    """Multiplier from the graph's seconds to seconds at the configured speed (1 for driving)."""
    return WALK_SPEED_KMH / walk_speed_kmh if mode is Mode.WALK else 1.0


def _with_source(matrix: csr_array, nodes: Ints, weights: Floats) -> csr_array:
    """The matrix with one more node (the last) joined to ``nodes``; the lightest weight wins for a repeated node."""
    n = matrix.shape[0]
    order = np.lexsort((weights, nodes))
    nodes, weights = nodes[order], weights[order]
    first = np.ones(len(nodes), dtype=bool)
    first[1:] = nodes[1:] != nodes[:-1]
    nodes, weights = nodes[first], np.maximum(weights[first], MIN_EDGE_SECONDS)
    indptr = np.concatenate([matrix.indptr, [matrix.indptr[-1] + len(nodes)]])
    data = np.concatenate([matrix.data, weights])
    indices = np.concatenate([matrix.indices, nodes.astype(matrix.indices.dtype)])
    return csr_array((data, indices, indptr), shape=(n + 1, n + 1))


def node_times(graph: CityGraph, mode: Mode, lons: Floats, lats: Floats, *, factor: float,
               limit_s: float = np.inf) -> Floats:
    """Seconds (at the configured speed) from the nearest of the points to every node; inf beyond ``limit_s``."""
    n = graph.node_count
    if not len(lons):
        return np.full(n, np.inf)
    mode_graph = graph.modes[mode]
    nodes, dist = graph.snap(lons, lats, mode)
    joined = _with_source(mode_graph.matrix, nodes, dist / mode_graph.access_mps)
    times = dijkstra(joined, indices=[n], limit=limit_s / factor)[0]
    return np.asarray(times[:n], dtype=np.float64) * factor


@dataclass(frozen=True, slots=True)
class Demand:
    """Residents' cells of one model with their nearest node of each mode and the time to walk or drive to it."""

    lon: Floats
    lat: Floats
    gx: Ints
    gy: Ints
    residents: Floats
    settlement: Ints  # index into ``settlements``; -1 for none
    settlements: tuple[str, ...]
    node: dict[Mode, Ints]
    access_s: dict[Mode, Floats]  # graph seconds (walk at the model's speed)

    @property
    def total(self) -> float:
        return float(self.residents.sum())


def build_demand(graph: CityGraph, cells: Sequence[tuple[float, float, int, int, int, str | None]]) -> Demand:
    """Demand from (lon, lat, gx, gy, residents, settlement) rows, snapped once to each mode's network."""
    lon = np.array([c[0] for c in cells], dtype=np.float64)
    lat = np.array([c[1] for c in cells], dtype=np.float64)
    names = sorted({c[5] for c in cells if c[5] is not None})
    index = {name: i for i, name in enumerate(names)}
    node: dict[Mode, Ints] = {}
    access: dict[Mode, Floats] = {}
    for mode in Mode:
        if len(cells) and len(graph.modes[mode].snap_nodes):
            nodes, dist = graph.snap(lon, lat, mode)
            node[mode], access[mode] = nodes, dist / graph.modes[mode].access_mps
        else:
            node[mode], access[mode] = np.zeros(len(cells), dtype=np.int64), np.full(len(cells), np.inf)
    return Demand(lon=lon, lat=lat, gx=np.array([c[2] for c in cells], dtype=np.int64),
                  gy=np.array([c[3] for c in cells], dtype=np.int64),
                  residents=np.array([c[4] for c in cells], dtype=np.float64),
                  settlement=np.array([index.get(c[5], -1) if c[5] else -1 for c in cells], dtype=np.int64),
                  settlements=tuple(names), node=node, access_s=access)


def cell_times(demand: Demand, mode: Mode, times: Floats, factor: float) -> Floats:
    """Seconds from the nearest police point to each cell: to its nearest node, then off the network."""
    return np.asarray(times[demand.node[mode]] + demand.access_s[mode] * factor, dtype=np.float64)


@dataclass(frozen=True, slots=True)
class Share:
    residents: float
    covered: float

    @property
    def share(self) -> float:
        return self.covered / self.residents if self.residents else 0.0


def shares(demand: Demand, covered: Bools) -> tuple[Share, list[tuple[str, Share]]]:
    """Covered residents overall and per settlement (cells of no settlement only in the overall figure)."""
    weights = demand.residents
    overall = Share(float(weights.sum()), float(weights[covered].sum()))
    m = len(demand.settlements)
    inside = demand.settlement >= 0
    total = np.bincount(demand.settlement[inside], weights=weights[inside], minlength=m)
    got = np.bincount(demand.settlement[inside & covered], weights=weights[inside & covered], minlength=m)
    return overall, [(name, Share(float(total[i]), float(got[i]))) for i, name in enumerate(demand.settlements)]


@dataclass(frozen=True, slots=True)
class Cluster:
    """Uncovered cells that touch one another (8 neighbours), with their residents."""

    cells: Ints  # indices into the demand
    residents: float
    lon: float  # residents-weighted centre
    lat: float
    settlement: str | None  # the settlement holding most of its residents


def uncovered_clusters(demand: Demand, covered: Bools, limit: int = 20) -> list[Cluster]:
    """Clusters of populated cells outside the threshold, most residents first."""
    idx = np.flatnonzero(~covered & (demand.residents > 0))
    if not len(idx):
        return []
    gx, gy = demand.gx[idx], demand.gy[idx]
    lookup = {(int(x), int(y)): k for k, (x, y) in enumerate(zip(gx, gy, strict=True))}
    rows: list[int] = []
    cols: list[int] = []
    for k, (x, y) in enumerate(zip(gx, gy, strict=True)):
        for dx, dy in ((1, 0), (0, 1), (1, 1), (1, -1)):
            other = lookup.get((int(x) + dx, int(y) + dy))
            if other is not None:
                rows.append(k)
                cols.append(other)
    adjacency = csr_array((np.ones(len(rows)), (rows, cols)), shape=(len(idx), len(idx)))
    _, labels = connected_components(adjacency, directed=False)
    found = []
    for label in range(int(labels.max()) + 1):
        members = idx[labels == label]
        weights = demand.residents[members]
        total = float(weights.sum())
        per = np.bincount(demand.settlement[members] + 1, weights=weights)
        best = int(per.argmax()) - 1
        found.append(Cluster(cells=members, residents=total,
                             lon=float(np.average(demand.lon[members], weights=weights)),
                             lat=float(np.average(demand.lat[members], weights=weights)),
                             settlement=demand.settlements[best] if best >= 0 else None))
    found.sort(key=lambda c: (-c.residents, c.lon, c.lat))
    return found[:limit]
