"""Generated villages and roads of Burlinsky district, all inside the real boundary."""

# Each village is a small street grid around its real position, sized by its population. Roads: a trunk road
# across the district through Аралтал, Aksai and Жарсуат; rural roads on a minimum spanning tree of the
# settlements (so every one is reachable), plus shortcuts where the tree makes a long detour.

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.sparse import csr_array
from scipy.sparse.csgraph import minimum_spanning_tree, shortest_path

from qorgau.city.aksai.facts import Settlement
from qorgau.city.aksai.town import Town
from qorgau.city.dataset import Names, NetworkBuilder
from qorgau.city.geometry import LocalProjection, contains
from qorgau.city.names import romanize

VILLAGE_SPACING_M = 120.0
ROAD_STEP_M = 400.0
TOWN_HALF = (2000.0, 1500.0)  # the town's half extent in metres (see town.py)
TRUNK: Names = ("Магистральдық жол", "Магистральная дорога", "Trunk road")
TRUNK_VIA = ("Аралтал", "Жарсуат")  # west and north-east of Aksai
SHORTCUT_RATIO = 0.7  # add a direct road where the network is more than 1/0.7 times longer
SHORTCUT_MAX_M = 45_000.0


XY = tuple[float, float]


@dataclass(slots=True)
class _Road:
    start: int
    end: int
    a: XY
    b: XY
    names: Names
    highway: str
    speed: float
    junctions: list[tuple[float, int]] = field(default_factory=list)


@dataclass(slots=True)
class Village:
    settlement: Settlement
    centre: tuple[float, float]
    half: float
    nodes: dict[int, tuple[float, float]] = field(default_factory=dict)


def village_lines(population: int | None) -> int:
    """Streets per direction: 2 for a hamlet, up to 9 for a village of several thousand."""
    return max(2, min(9, round(math.sqrt(population or 0) / 11) + 2))


def _inward(proj: LocalProjection, boundary: dict[str, Any], x0: float, y0: float,
            half: float) -> tuple[float, float]:
    """The grid centre, moved toward Aksai until the whole grid (and its cells) lies inside the district."""
    ring = [(x0 + fx * half, y0 + fy * half) for fx in (-1, 0, 1) for fy in (-1, 0, 1)]
    distance = math.hypot(x0, y0)
    for step in range(0, int(distance // 50)):
        dx, dy = -x0 / distance * 50 * step, -y0 / distance * 50 * step
        xs, ys = np.array([p[0] + dx for p in ring]), np.array([p[1] + dy for p in ring])
        if np.all(contains(boundary, *proj.to_lonlat(xs, ys))):
            return x0 + dx, y0 + dy
    raise RuntimeError("no room for a village grid inside the district")


def build_villages(builder: NetworkBuilder, proj: LocalProjection, boundary: dict[str, Any],
                   settlements: list[Settlement]) -> list[Village]:
    """Street grids around the real positions (moved inward where a village sits on the district's edge)."""
    villages = []
    for s in settlements:
        n = village_lines(s.population)
        offsets = [(k - (n - 1) / 2) * VILLAGE_SPACING_M for k in range(n)]
        x, y = proj.to_xy(s.lon, s.lat)
        x0, y0 = _inward(proj, boundary, float(x), float(y), offsets[-1] + 100.0)
        village = Village(s, (x0, y0), offsets[-1])
        grid = {}
        for i, dx in enumerate(offsets):
            for j, dy in enumerate(offsets):
                grid[(i, j)] = builder.node(*proj.point(x0 + dx, y0 + dy))
                village.nodes[grid[(i, j)]] = (x0 + dx, y0 + dy)
        for i in range(n):
            for j in range(n):
                for a, b in (((i, j), (i + 1, j)), ((i, j), (i, j + 1))):
                    if b in grid:
                        builder.edge(grid[a], grid[b], highway="residential", speed_kmh=30, drive=True, walk=True,
                                     generated=True)
        villages.append(village)
    return villages


class Roads:
    """Lays roads between settlements, keeping every point inside the district boundary."""

    def __init__(self, builder: NetworkBuilder, proj: LocalProjection, boundary: dict[str, Any], town: Town,
                 villages: list[Village]) -> None:
        self.builder, self.proj, self.boundary, self.town = builder, proj, boundary, town
        self.villages = {v.settlement.name: v for v in villages}
        self.entries: list[dict[str, Any]] = []
        self.street_names: dict[str, Names] = {TRUNK[1] or "": TRUNK}
        self.planned: list[_Road] = []

    def inside(self, a: tuple[float, float], b: tuple[float, float]) -> bool:
        steps = max(2, int(math.dist(a, b) / 100) + 1)
        xs, ys = np.linspace(a[0], b[0], steps), np.linspace(a[1], b[1], steps)
        return bool(np.all(contains(self.boundary, *self.proj.to_lonlat(xs, ys))))

    def attach(self, name: str, toward: tuple[float, float], other: str = "") -> int:
        """The node of a settlement's streets where a road toward ``toward`` (settlement ``other``) leaves it."""
        village = self.villages.get(name)
        if village is not None:
            return min(village.nodes, key=lambda n: math.dist(village.nodes[n], toward))
        tx, ty = toward
        scale = min(TOWN_HALF[0] / abs(tx) if tx else math.inf, TOWN_HALF[1] / abs(ty) if ty else math.inf)
        exit_point = (tx * scale, ty * scale)
        node = min(self.town.edge_nodes, key=lambda n: math.dist(self.town.edge_nodes[n], exit_point))
        self.entries.append({"node": node, "toward": other})
        return node

    def xy(self, node: int) -> tuple[float, float]:
        x, y = self.proj.to_xy(self.builder.data.lons[node], self.builder.data.lats[node])
        return float(x), float(y)

    def lay(self, start: int, end: int, names: Names, highway: str, speed: float) -> None:
        """Plan a straight road between two nodes; :meth:`build` adds it with the junctions where roads cross."""
        a, b = self.xy(start), self.xy(end)
        if not self.inside(a, b):
            raise RuntimeError(f"road {names[1]} would leave the district")
        self.street_names[names[1] or ""] = names
        self.planned.append(_Road(start, end, a, b, names, highway, speed))

    def build(self) -> None:
        """Add the planned roads as chains of nodes at most 400 m apart, sharing a node wherever two cross."""
        for k, one in enumerate(self.planned):
            for other in self.planned[k + 1:]:
                hit = _crossing(one.a, one.b, other.a, other.b)
                if hit is not None:
                    node = self.builder.node(*self.proj.point(*hit[0]))
                    one.junctions.append((hit[1], node))
                    other.junctions.append((hit[2], node))
        for road in self.planned:
            steps = max(1, math.ceil(math.dist(road.a, road.b) / ROAD_STEP_M))
            stops = [(k / steps, -1) for k in range(1, steps)] + road.junctions
            chain = [road.start]
            for t, node in sorted(stops):
                if node < 0:
                    node = self.builder.node(*self.proj.point(road.a[0] + t * (road.b[0] - road.a[0]),
                                                              road.a[1] + t * (road.b[1] - road.a[1])))
                chain.append(node)
            chain.append(road.end)
            for u, v in itertools.pairwise(chain):
                self.builder.edge(u, v, highway=road.highway, speed_kmh=road.speed, drive=True, walk=True,
                                  name=road.names[1], generated=True)

    def exit_point(self, start: tuple[float, float], direction: tuple[float, float]) -> tuple[float, float]:
        """The point 300 m before a ray from ``start`` leaves the district."""
        length = math.hypot(*direction)
        ux, uy = direction[0] / length, direction[1] / length
        walked = 0.0
        while self.inside(start, (start[0] + ux * (walked + 100), start[1] + uy * (walked + 100))):
            walked += 100
        walked = max(walked - 300, 0.0)
        return start[0] + ux * walked, start[1] + uy * walked

    def trunk(self, town_name: str) -> list[tuple[str, str]]:
        """West boundary → Аралтал → Aksai (along Советская) → Жарсуат → north-east boundary."""
        west, north_east = (self.villages[name] for name in TRUNK_VIA)
        west_end = self.builder.node(*self.proj.point(-TOWN_HALF[0], 0.0))
        east_end = self.builder.node(*self.proj.point(TOWN_HALF[0], 0.0))
        self.entries += [{"node": west_end, "toward": west.settlement.name},
                         {"node": east_end, "toward": north_east.settlement.name}]
        entry = self.exit_point(west.centre, (-1.0, 0.0))
        ne = north_east.centre
        leave = self.exit_point(ne, ne)
        legs = [
            (self.builder.node(*self.proj.point(*entry)), self.attach(west.settlement.name, entry)),
            (self.attach(west.settlement.name, self.xy(west_end)), west_end),
            (east_end, self.attach(north_east.settlement.name, self.xy(east_end))),
            (self.attach(north_east.settlement.name, leave), self.builder.node(*self.proj.point(*leave))),
        ]
        for a, b in legs:
            self.lay(a, b, TRUNK, "trunk", 90)
        return [(west.settlement.name, town_name), (town_name, north_east.settlement.name)]

    def rural(self, settlements: list[Settlement], done: list[tuple[str, str]]) -> None:
        """Roads on the minimum spanning tree of the settlements (trunk legs forced in), then shortcuts."""
        names = [s.name for s in settlements]
        centres = [self.villages[n].centre if n in self.villages else (0.0, 0.0) for n in names]
        n = len(names)
        dist = np.array([[math.dist(a, b) for b in centres] for a in centres])
        allowed = np.zeros((n, n), dtype=bool)
        for i in range(n):
            for j in range(i + 1, n):
                allowed[i, j] = allowed[j, i] = self.inside(centres[i], centres[j])
        weights = np.where(allowed, dist, 0.0)
        forced = {(names.index(a), names.index(b)) for a, b in done}
        for i, j in forced:
            weights[i, j] = weights[j, i] = 1e-3
        tree = minimum_spanning_tree(csr_array(weights)).tocoo()
        links: set[tuple[int, int]] = {(min(int(a), int(b)), max(int(a), int(b)))
                                       for a, b in zip(tree.row, tree.col, strict=True)}
        if len(links) != n - 1:
            raise RuntimeError("the settlements cannot all be joined by roads inside the district")
        candidates = sorted(((i, j) for i in range(n) for j in range(i + 1, n) if allowed[i, j]),
                            key=lambda pair: float(dist[pair]))
        for i, j in candidates:
            if (i, j) in links or dist[i, j] > SHORTCUT_MAX_M:
                continue
            # Roads meet at settlements, never in the open steppe: a shortcut crossing a road is left out.
            if any(_cross(centres[i], centres[j], centres[a], centres[b]) for a, b in links
                   if len({i, j, a, b}) == 4):
                continue
            network = np.zeros((n, n))
            for a, b in links:
                network[a, b] = network[b, a] = dist[a, b]
            if dist[i, j] < SHORTCUT_RATIO * shortest_path(csr_array(network), indices=[i])[0][j]:
                links.add((i, j))
        by_name = {s.name: s for s in settlements}
        for i, j in sorted(links - forced - {(b, a) for a, b in forced}):
            one, two = by_name[names[i]], by_name[names[j]]
            start = self.attach(one.name, centres[j], two.name)
            end = self.attach(two.name, centres[i], one.name)
            self.lay(start, end, _road_names(one, two), *_road_class(one, two))


def _crossing(p1: XY, p2: XY, q1: XY, q2: XY) -> tuple[XY, float, float] | None:
    """Where two segments cross inside both (the point and its fraction along each), or None."""
    rx, ry, sx, sy = p2[0] - p1[0], p2[1] - p1[1], q2[0] - q1[0], q2[1] - q1[1]
    denominator = rx * sy - ry * sx
    if denominator == 0:
        return None
    qpx, qpy = q1[0] - p1[0], q1[1] - p1[1]
    t, u = (qpx * sy - qpy * sx) / denominator, (qpx * ry - qpy * rx) / denominator
    if 0.01 < t < 0.99 and 0.01 < u < 0.99:
        return (p1[0] + t * rx, p1[1] + t * ry), t, u
    return None


def _cross(p1: XY, p2: XY, q1: XY, q2: XY) -> bool:
    return _crossing(p1, p2, q1, q2) is not None


def _road_names(a: Settlement, b: Settlement) -> Names:
    ru_a, ru_b = a.name_ru or a.name_kk, b.name_ru or b.name_kk
    return (f"{a.name_kk} — {b.name_kk} жолы", f"Дорога {ru_a} — {ru_b}",
            f"{a.name_en or romanize(ru_a)} – {b.name_en or romanize(ru_b)} road")


def _road_class(a: Settlement, b: Settlement) -> tuple[str, float]:
    """Rural speeds: 80 km/h to the town and between large villages, 70 between villages, 60 to hamlets."""
    small = min(a.population or 0, b.population or 0)
    if a.is_town or b.is_town or small >= 1000:
        return "secondary", 80
    return ("tertiary", 70) if small >= 200 else ("unclassified", 60)
