"""Positions for the Smart Aqsai seed taken from the active city model: real crossings, entries and blocks.

Intersections are nodes where named streets of the drive graph cross, ranked by road class; entries are where
roads leave the town; speed points lie mid-block on arterials; public spaces, yards and institutions sit in the
model's blocks (yards in the microdistricts); the police posts are placed greedily to cover the most residents
within a walk of 800 m. Every choice is deterministic for a given model.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from sqlalchemy.orm import Session

from qorgau.city import queries as city_queries
from qorgau.city import reverse
from qorgau.city.enums import PlaceKind
from qorgau.devices import geo
from qorgau.devices.enums import SiteSubtype
from qorgau.devices.planner import Spot

_RANK = {"motorway": 5, "trunk": 5, "primary": 4, "secondary": 3, "tertiary": 2}
TOWN_RADIUS_M = 3000.0
POST_WALK_M = 800.0


@dataclass(frozen=True)
class _Edge:
    a: int
    b: int
    rank: int
    name: str | None
    lon: float
    lat: float


class CityPlanner:
    """A SitePlanner over the active city model's town (its most populous settlement)."""

    def __init__(self, session: Session, model: city_queries.ModelRef | None = None) -> None:
        self.model = model or city_queries.active_model(session)
        self.generated = self.model.generated
        mid = self.model.id
        town = city_queries.main_settlement(session, mid)
        if town is None:
            raise ValueError("the city model has no settlement to place the equipment in")
        self.lon, self.lat = town
        self.nodes = city_queries.nodes(session, mid)
        self.edges = [_Edge(s.source, s.target, _RANK.get(s.highway, 1), s.name, s.lon, s.lat)
                      for s in city_queries.drive_streets(session, mid) if self._in_town(s.lon, s.lat)]
        self.blocks = [(p.lon, p.lat) for p in city_queries.areas(session, mid, PlaceKind.BLOCK)
                       if self._in_town(p.lon, p.lat)]
        self.districts = [(p.min_lon, p.min_lat, p.max_lon, p.max_lat)
                          for p in city_queries.areas(session, mid, PlaceKind.MICRODISTRICT)]
        self.cells = [(lon, lat, n) for lon, lat, n in city_queries.residents(session, mid) if self._in_town(lon, lat)]
        self.taken: list[tuple[float, float]] = []
        self._session = session

    def _in_town(self, lon: float, lat: float) -> bool:
        return geo.distance_m(self.lon, self.lat, lon, lat) <= TOWN_RADIUS_M

    def _take(self, lon: float, lat: float, heading: float, kk: str | None = None, ru: str | None = None) -> Spot:
        self.taken.append((lon, lat))
        return Spot(round(lon, 6), round(lat, 6), heading % 360, kk, ru)

    def _clear(self, lon: float, lat: float, gap: float) -> bool:
        return all(geo.distance_m(lon, lat, x, y) >= gap for x, y in self.taken)

    def _spread(self, points: list[tuple[float, float]], n: int, gap: float) -> list[tuple[float, float]]:
        """Up to ``n`` points, each at least ``gap`` from the others and from what is taken; relaxes the gap
        rather than returning fewer."""
        chosen: list[tuple[float, float]] = []
        while len(chosen) < n and gap > 1:
            for point in points:
                if len(chosen) == n:
                    break
                if point not in chosen and self._clear(*point, gap) and all(
                        geo.distance_m(*point, *c) >= gap for c in chosen):
                    chosen.append(point)
            gap *= 0.8
        if len(chosen) < n:
            raise ValueError(f"the city model has room for only {len(chosen)} of {n} sites")
        return chosen

    def _heading_to_street(self, lon: float, lat: float) -> float:
        nearest = min(self.nodes.values(), key=lambda p: geo.distance_m(lon, lat, *p))
        return geo.bearing_deg(lon, lat, *nearest)

    def intersections(self, n: int) -> list[Spot]:
        at: dict[int, list[_Edge]] = defaultdict(list)
        for edge in self.edges:
            at[edge.a].append(edge)
            at[edge.b].append(edge)
        crossings = []
        for node, edges in at.items():
            named = sorted({(e.rank, e.name) for e in edges if e.name}, key=lambda r: (-r[0], r[1]))
            if len({name for _, name in named}) < 2:
                continue
            lon, lat = self.nodes[node]
            score = named[0][0] + named[1][0] - geo.distance_m(self.lon, self.lat, lon, lat) / 1500
            crossings.append((-score, node, named[0][1], named[1][1]))
        crossings.sort()
        # A crossing on the town's edge is where a road enters: it belongs to the entry cameras, not here.
        edges_of_town = [(float(e["lon"]), float(e["lat"])) for e in self.model.attrs.get("town_entries") or []]
        spots: list[Spot] = []
        for _, node, first, second in crossings:
            lon, lat = self.nodes[node]
            at_entry = any(geo.distance_m(lon, lat, x, y) < 300.0 for x, y in edges_of_town)
            if len(spots) < n and not at_entry and self._clear(lon, lat, 350.0):
                main = max(at[node], key=lambda e: (e.rank, e.name or ""))
                other = main.b if main.a == node else main.a
                spots.append(self._take(lon, lat, geo.bearing_deg(lon, lat, *self.nodes[other]),
                                        f"{first} — {second}", f"{first} — {second}"))
        return spots

    def city_entries(self, n: int) -> list[Spot]:
        entries = list(self.model.attrs.get("town_entries") or [])
        if not entries:  # an imported model: where arterials cross the town's edge
            far = [e for e in self.edges if e.rank >= 3]
            far.sort(key=lambda e: -geo.distance_m(self.lon, self.lat, e.lon, e.lat))
            entries = [{"lon": e.lon, "lat": e.lat, "toward": e.name or ""} for e in far]
        spots: list[Spot] = []
        for entry in entries:
            lon, lat, toward = float(entry["lon"]), float(entry["lat"]), str(entry.get("toward") or "")
            if len(spots) < n and all(geo.distance_m(lon, lat, s.lon, s.lat) >= 500.0 for s in spots):
                spots.append(self._take(lon, lat, geo.bearing_deg(lon, lat, self.lon, self.lat),
                                        f"Қалаға кіреберіс ({toward} жағынан)".replace(" ( жағынан)", ""),
                                        f"Въезд в город (со стороны {toward})".replace(" (со стороны )", "")))
        if len(spots) < n:
            raise ValueError(f"the city model has only {len(spots)} entries into town, the plan needs {n}")
        return spots

    def speed_points(self, n: int) -> list[Spot]:
        arterials = sorted((e for e in self.edges if e.rank >= 3),
                           key=lambda e: (-e.rank, geo.distance_m(self.lon, self.lat, e.lon, e.lat)))
        picked = self._spread([(e.lon, e.lat) for e in arterials], n, 400.0)
        by_point = {(e.lon, e.lat): e for e in arterials}
        spots = []
        for lon, lat in picked:
            edge = by_point[(lon, lat)]
            spots.append(self._take(lon, lat, geo.bearing_deg(*self.nodes[edge.a], *self.nodes[edge.b])))
        return spots

    def _in_microdistrict(self, lon: float, lat: float) -> bool:
        return any(x0 <= lon <= x1 and y0 <= lat <= y1 for x0, y0, x1, y1 in self.districts)

    def block_points(self, n: int, *, yards: bool) -> list[Spot]:
        candidates = [b for b in self.blocks if self._in_microdistrict(*b) == yards] or self.blocks
        return [self._take(lon, lat, self._heading_to_street(lon, lat))
                for lon, lat in self._spread(candidates, n, 150.0 if yards else 250.0)]

    def institutions(self, subtype: SiteSubtype, n: int) -> list[Spot]:
        # Schools and kindergartens serve the housing; the rest may stand anywhere in town.
        housing = subtype in (SiteSubtype.SCHOOL, SiteSubtype.KINDERGARTEN)
        candidates = [b for b in self.blocks if not housing or self._in_microdistrict(*b)] or self.blocks
        ordered = sorted(candidates, key=lambda b: geo.distance_m(self.lon, self.lat, *b))
        return [self._take(lon, lat, self._heading_to_street(lon, lat))
                for lon, lat in self._spread(ordered, n, 200.0)]

    def police_posts(self, n: int) -> list[Spot]:
        """Greedy maximum coverage: each post goes where it brings the most uncovered residents within a walk."""
        if not self.cells:
            return [self._take(lon, lat, 0.0) for lon, lat in self._spread(self.blocks, n, 800.0)]
        xy = np.array([geo.local_xy(self.lon, self.lat, lon, lat) for lon, lat, _ in self.cells])
        residents = np.array([r for _, _, r in self.cells], dtype=float)
        near = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1]) <= POST_WALK_M
        uncovered = residents.copy()
        spots = []
        for _ in range(n):
            best = int(np.argmax(near @ uncovered))
            uncovered[near[best]] = 0.0
            lon, lat, _ = self.cells[best]
            spots.append(self._take(lon, lat, self._heading_to_street(lon, lat)))
        return spots

    def situation_center(self) -> Spot:
        lon, lat = min(self.blocks, key=lambda b: geo.distance_m(self.lon, self.lat, *b))
        return self._take(lon, lat, self._heading_to_street(lon, lat), "Жағдайлық орталық", "Ситуационный центр")


    def address(self, lon: float, lat: float) -> str | None:
        found = reverse.address_at(self._session, self.model.id, lon, lat)
        return found.label("ru") if found is not None else None


def planner_for(session: Session) -> CityPlanner | None:
    """The city-model planner when a model is active, else None (the caller falls back)."""
    from qorgau.core.errors import QorgauError

    try:
        return CityPlanner(session)
    except QorgauError:
        return None
