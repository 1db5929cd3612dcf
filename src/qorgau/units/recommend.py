"""Which units should go: travel time on the city model's streets from where each unit is, to the incident.

One reverse Dijkstra per travel mode, from the incident's nearest node over the transposed graph, gives every
unit's time at once, and its predecessor tree gives each unit's route: the cost does not grow with the number
of units. Cars use the drive network; foot patrols, inspectors and posts the walk network.

Ranking: units with a fresh position first, by ETA, then units whose position is stale (older than
`unit_position_stale_s`), by ETA: their real position is uncertain. A unit without a fix for
`unit_position_lost_s` is not recommended; a post (stationed at its МОП) never goes stale.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from scipy.sparse.csgraph import dijkstra

from qorgau.city.enums import Mode
from qorgau.city.geometry import Point
from qorgau.city.graph import CityGraph
from qorgau.units.enums import MODE_OF_KIND, UnitKind

NO_PREDECESSOR = -9999  # scipy's mark for "no predecessor"


@dataclass(frozen=True, slots=True)
class Candidate:
    code: str
    kind: UnitKind
    lon: float
    lat: float
    position_at: datetime | None


@dataclass(frozen=True, slots=True)
class Recommendation:
    code: str
    kind: UnitKind
    mode: Mode
    eta_s: float
    meters: float
    stale: bool
    age_s: float | None
    route: list[Point]


def freshness(candidate: Candidate, now: datetime, *, stale_s: float, lost_s: float) -> tuple[bool, bool, float | None]:
    """(usable, stale, age in seconds) of a unit's position."""
    if candidate.kind == UnitKind.POST:
        return True, False, None
    if candidate.position_at is None:
        return False, True, None
    age = (now - candidate.position_at).total_seconds()
    return age <= lost_s, age > stale_s, age


class _Tree:
    """Times and next hops from every node to one target node, for one mode."""

    def __init__(self, graph: CityGraph, mode: Mode, target: Point) -> None:
        self.graph, self.mode, self.target = graph, mode, target
        self.modegraph = graph.modes[mode]
        (node,), (dist,) = graph.snap(target[0], target[1], mode)
        self.node = int(node)
        self.target_access_s = float(dist) / self.modegraph.access_mps
        self.target_access_m = float(dist)
        times, pred = dijkstra(self.modegraph.transposed, indices=[self.node], return_predecessors=True)
        self.times, self.pred = times[0], pred[0]

    def route(self, start: Point, node: int, access_m: float) -> tuple[list[Point], float]:
        """Coordinates from ``start`` along the tree to the target, and the metres travelled."""
        path = [node]
        while path[-1] != self.node and self.pred[path[-1]] != NO_PREDECESSOR:
            path.append(int(self.pred[path[-1]]))
        matrix, lengths = self.modegraph.matrix, self.modegraph.lengths
        meters = access_m + self.target_access_m
        for u, v in itertools.pairwise(path):
            lo, hi = int(matrix.indptr[u]), int(matrix.indptr[u + 1])
            meters += float(lengths[lo + int(np.searchsorted(matrix.indices[lo:hi], v))])
        lon, lat = self.graph.lon, self.graph.lat
        return [start, *((float(lon[i]), float(lat[i])) for i in path), self.target], meters


def recommend(graph: CityGraph, target: Point, candidates: Sequence[Candidate], *, now: datetime, stale_s: float,
              lost_s: float, limit: int = 5) -> list[Recommendation]:
    """The best ``limit`` units for an incident at ``target``, with ETA and route; unreachable units left out."""
    scored: list[tuple[bool, float, int, Candidate, _Tree, int, float, float | None]] = []
    by_mode: dict[Mode, list[tuple[Candidate, bool, float | None]]] = {}
    for candidate in candidates:
        usable, stale, age = freshness(candidate, now, stale_s=stale_s, lost_s=lost_s)
        if usable:
            by_mode.setdefault(MODE_OF_KIND[candidate.kind], []).append((candidate, stale, age))
    for mode, group in by_mode.items():
        tree = _Tree(graph, mode, target)
        nodes, dist = graph.snap([c.lon for c, _, _ in group], [c.lat for c, _, _ in group], mode)
        etas = tree.times[nodes] + dist / tree.modegraph.access_mps + tree.target_access_s
        for k, (candidate, stale, age) in enumerate(group):
            if np.isfinite(etas[k]):
                scored.append((stale, float(etas[k]), len(scored), candidate, tree, int(nodes[k]), float(dist[k]),
                               age))
    scored.sort(key=lambda row: (row[0], row[1], row[3].code))
    found = []
    for stale, eta, _, candidate, tree, node, access_m, age in scored[:limit]:
        route, meters = tree.route((candidate.lon, candidate.lat), node, access_m)
        found.append(Recommendation(code=candidate.code, kind=candidate.kind, mode=tree.mode, eta_s=eta,
                                    meters=meters, stale=stale, age_s=age, route=route))
    return found
