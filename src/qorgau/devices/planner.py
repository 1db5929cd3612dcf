"""Where the Smart Aqsai equipment stands: the SitePlanner interface and a fallback planner around Aksai's centre.

The seed asks a planner for places (intersections, entries, blocks, institutions…) and never computes positions
itself, so switching from this fallback to the city model's street graph is a change of planner only. The
fallback lays a plausible 4 × 3 km street grid around the real centre of Aksai and names its arterials after
Aksai's real streets; everything it places is generated, and the seed marks it so.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Protocol

from qorgau.devices import geo
from qorgau.devices.enums import SiteSubtype

AKSAI_CENTRE = (53.011478, 51.173893)  # OSM node 435393175


@dataclass(frozen=True)
class Spot:
    """A place for a site: position, the direction that matters there (road, façade) and an optional label."""

    lon: float
    lat: float
    heading_deg: float = 0.0
    label_kk: str | None = None
    label_ru: str | None = None


class SitePlanner(Protocol):
    """Positions for the seed; a city-model planner puts them on the real street graph."""

    generated: bool  # True while positions are invented rather than surveyed

    def intersections(self, n: int) -> list[Spot]:
        """Major crossings; heading along one of the crossing roads, label "Street A — Street B"."""
        ...

    def city_entries(self, n: int) -> list[Spot]:
        """Points on the roads into town at its edge; heading points into town."""
        ...

    def speed_points(self, n: int) -> list[Spot]:
        """Points on arterial roads between crossings; heading along the traffic."""
        ...

    def block_points(self, n: int, *, yards: bool) -> list[Spot]:
        """Public spaces (squares, stops, streets) or apartment-block yards, spread over the town."""
        ...

    def institutions(self, subtype: SiteSubtype, n: int) -> list[Spot]:
        """Buildings of schools, kindergartens, the hospital…; heading faces the street."""
        ...

    def police_posts(self, n: int) -> list[Spot]:
        """Modular police posts, spread so that residents reach one on foot."""
        ...

    def situation_center(self) -> Spot:
        ...

    def address(self, lon: float, lat: float) -> str | None:
        """The street address of a placed site ("ул. Советская, 12"), or None where no street is near."""
        ...


# Real street names of Aksai (../shared/data/aksai/SOURCES.md); the grid they name here is generated.
_EAST_WEST = (("Советская көшесі", "ул. Советская"), ("Октябрьская көшесі", "ул. Октябрьская"),
              ("Заводская көшесі", "ул. Заводская"))
_NORTH_SOUTH = (("Комсомольская көшесі", "ул. Комсомольская"),
                ("Электростанционная көшесі", "ул. Электростанционная"), ("Шығыс көшесі", "ул. Восточная"))


class FallbackPlanner:
    """A generated street grid around Aksai's centre: arterials every 600 m, blocks of 200 m."""

    generated = True

    def __init__(self, centre: tuple[float, float] = AKSAI_CENTRE, seed: int = 2024) -> None:
        self.lon, self.lat = centre
        self._random = random.Random(seed)  # noqa: S311 (layout, not security)
        self._taken: list[tuple[float, float]] = []
        self.half_width, self.half_height = 2000.0, 1500.0

    def _spot(self, x: float, y: float, heading: float = 0.0, kk: str | None = None, ru: str | None = None) -> Spot:
        lon, lat = geo.offset(self.lon, self.lat, x, y)
        self._taken.append((x, y))
        return Spot(round(lon, 6), round(lat, 6), heading % 360, kk, ru)

    def _free(self, x: float, y: float, gap: float) -> bool:
        return all(math.hypot(x - tx, y - ty) >= gap for tx, ty in self._taken)

    def _scatter(self, n: int, region: tuple[float, float, float, float], gap: float) -> list[Spot]:
        """``n`` points inside blocks (never on a street line) of the region, ``gap`` metres apart."""
        x0, y0, x1, y1 = region
        spots: list[Spot] = []
        while len(spots) < n:
            # block centres sit between the 200 m street lines; jitter keeps them inside the block
            x = (math.floor(self._random.uniform(x0, x1) / 200) + 0.5) * 200 + self._random.uniform(-60, 60)
            y = (math.floor(self._random.uniform(y0, y1) / 200) + 0.5) * 200 + self._random.uniform(-60, 60)
            if self._free(x, y, gap):
                spots.append(self._spot(x, y, self._random.choice((0, 90, 180, 270))))
            else:
                gap *= 0.995  # a crowded region relaxes the spacing instead of looping forever
        return spots

    def intersections(self, n: int) -> list[Spot]:
        crossings = [(ix, iy) for ix in (-600.0, 0.0, 600.0) for iy in (-600.0, 0.0, 600.0)]
        crossings.sort(key=lambda c: (math.hypot(*c), c))
        spots = []
        for x, y in crossings[:n]:
            ew = _EAST_WEST[int(y // 600) + 1]
            ns = _NORTH_SOUTH[int(x // 600) + 1]
            spots.append(self._spot(x, y, 90, f"{ew[0]} — {ns[0]}", f"{ew[1]} — {ns[1]}"))
        return spots

    def city_entries(self, n: int) -> list[Spot]:
        w, h = self.half_width, self.half_height
        roads = [(-w, 0.0, 90.0, "батыс", "западный"), (w, 0.0, 270.0, "шығыс", "восточный"),
                 (0.0, h, 180.0, "солтүстік", "северный"), (0.0, -h, 0.0, "оңтүстік", "южный")]
        return [self._spot(x, y, heading, f"Қалаға {kk} кіреберіс", f"{ru.capitalize()} въезд в город")
                for x, y, heading, kk, ru in roads[:n]]

    def speed_points(self, n: int) -> list[Spot]:
        places = [(-1300.0, 0.0, 90.0), (1300.0, 0.0, 270.0), (0.0, 1000.0, 180.0), (0.0, -1000.0, 0.0),
                  (-300.0, 600.0, 90.0), (300.0, -600.0, 270.0), (600.0, 300.0, 180.0), (-600.0, -300.0, 0.0)]
        return [self._spot(x, y, h) for x, y, h in places[:n]]

    def block_points(self, n: int, *, yards: bool) -> list[Spot]:
        # Apartment blocks (microdistricts) lie north-east of the centre; public spaces spread over the town.
        region = (100.0, 100.0, 1700.0, 1300.0) if yards else (-1800.0, -1300.0, 1800.0, 1300.0)
        return self._scatter(n, region, 120.0 if yards else 150.0)

    def institutions(self, subtype: SiteSubtype, n: int) -> list[Spot]:
        return self._scatter(n, (-1600.0, -1200.0, 1600.0, 1200.0), 180.0)

    def police_posts(self, n: int) -> list[Spot]:
        places = [(-900.0, 700.0), (900.0, 700.0), (-900.0, -700.0), (900.0, -700.0), (100.0, 300.0),
                  (-300.0, -900.0), (500.0, 1000.0), (1300.0, 0.0)]  # the last three: reception points (УПП)
        return [self._spot(x, y, 180.0) for x, y in places[:n]]

    def situation_center(self) -> Spot:
        return self._spot(-100.0, -100.0, 0.0, "Жағдайлық орталық", "Ситуационный центр")

    def address(self, lon: float, lat: float) -> str | None:
        """The nearest arterial of the generated grid, numbered every 20 m from its western or southern end."""
        x, y = geo.local_xy(self.lon, self.lat, lon, lat)
        row = min(range(3), key=lambda i: abs(y - (i - 1) * 600.0))
        column = min(range(3), key=lambda i: abs(x - (i - 1) * 600.0))
        if abs(y - (row - 1) * 600.0) <= abs(x - (column - 1) * 600.0):
            return f"{_EAST_WEST[row][1]}, {1 + round((x + self.half_width) / 20)}"
        return f"{_NORTH_SOUTH[column][1]}, {1 + round((y + self.half_height) / 20)}"
