"""A city model in memory before it is stored: what the OSM importer and the Aksai generator both produce."""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from qorgau.city.enums import PlaceKind
from qorgau.city.geometry import haversine_m, merge_chains, point_along, polyline_length_m


@dataclass(slots=True)
class EdgeData:
    """One street segment; ``oneway`` means drivable only from ``source`` to ``target``."""

    source: int
    target: int
    length_m: float
    highway: str
    speed_kmh: float
    drive: bool
    walk: bool
    oneway: bool = False
    name: str | None = None
    generated: bool = False
    osm_way_id: int | None = None
    maxspeed_kmh: float | None = None  # the tagged limit only (speed_kmh also holds defaults)


@dataclass(slots=True)
class PlaceData:
    kind: PlaceKind
    name: str
    geometry: dict[str, Any]
    lon: float
    lat: float
    name_kk: str | None = None
    name_ru: str | None = None
    name_en: str | None = None
    population: int | None = None
    generated: bool = False
    settlement: str | None = None  # the name of the settlement this place belongs to
    attrs: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class CellData:
    """A 100 m population cell: integer grid indices, centre, residents."""

    gx: int
    gy: int
    lon: float
    lat: float
    residents: int
    settlement: str | None = None
    generated: bool = True


@dataclass(slots=True)
class ModelData:
    name: str
    source: str
    licence: str
    generated: bool
    boundary: dict[str, Any]
    lons: list[float] = field(default_factory=list)
    lats: list[float] = field(default_factory=list)
    osm_ids: list[int | None] = field(default_factory=list)
    edges: list[EdgeData] = field(default_factory=list)
    places: list[PlaceData] = field(default_factory=list)
    cells: list[CellData] = field(default_factory=list)
    attrs: dict[str, Any] = field(default_factory=dict)


class NetworkBuilder:
    """Collects nodes (deduplicated by key) and edges into a :class:`ModelData`."""

    def __init__(self, data: ModelData) -> None:
        self.data = data
        self._index: dict[Any, int] = {}

    def node(self, lon: float, lat: float, key: Any = None, osm_id: int | None = None) -> int:
        """The index of the node for ``key`` (default: the rounded coordinates), added if new."""
        lookup = key if key is not None else (round(lon, 7), round(lat, 7))
        found = self._index.get(lookup)
        if found is not None:
            return found
        index = len(self.data.lons)
        self._index[lookup] = index
        self.data.lons.append(lon)
        self.data.lats.append(lat)
        self.data.osm_ids.append(osm_id)
        return index

    def edge(self, source: int, target: int, **fields: Any) -> EdgeData | None:
        """Add the segment between two nodes (its length from their positions); loops are dropped."""
        if source == target:
            return None
        d = self.data
        length = float(haversine_m(d.lons[source], d.lats[source], d.lons[target], d.lats[target]))
        edge = EdgeData(source=source, target=target, length_m=round(length, 2), **fields)
        d.edges.append(edge)
        return edge

    def line(self, points: list[tuple[float, float]], **fields: Any) -> list[int]:
        """Add a polyline as consecutive segments; returns its node indices."""
        nodes = [self.node(lon, lat) for lon, lat in points]
        for a, b in itertools.pairwise(nodes):
            self.edge(a, b, **fields)
        return nodes


Names = tuple[str | None, str | None, str | None]  # kk, ru, en
HOUSE_FRONTAGE_M = 12.0  # one house number per 12 m of street (odd and even numbers on opposite sides)


def street_places(data: ModelData, *, names: Mapping[str, Names] | None = None,
                  settlement_of: Callable[[float, float], str | None] | None = None,
                  generated: bool = False) -> list[PlaceData]:
    """One street place per street name, its segments merged into chains ordered along the street.

    House numbers are interpolated along those chains (see geocode.py); ``house_max`` is the number that
    falls at the far end.
    """
    by_name: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for edge in data.edges:
        if edge.name:
            by_name[edge.name].append((edge.source, edge.target))
    places = []
    for name, segments in sorted(by_name.items()):
        chains = [[(data.lons[i], data.lats[i]) for i in chain] for chain in merge_chains(segments)]
        lons = [p[0] for chain in chains for p in chain]
        lats = [p[1] for chain in chains for p in chain]
        along_lon = (max(lons) - min(lons)) * math.cos(math.radians(lats[0])) >= max(lats) - min(lats)
        axis = 0 if along_lon else 1
        chains = [c if c[0][axis] <= c[-1][axis] else c[::-1] for c in chains]
        chains.sort(key=lambda c: c[0][axis])
        length = sum(polyline_length_m(c) for c in chains)
        longest = max(chains, key=polyline_length_m)
        kk, ru, en = (names or {}).get(name, (None, None, None))
        lon, lat = point_along(longest, 0.5)
        places.append(PlaceData(
            kind=PlaceKind.STREET, name=name, lon=lon, lat=lat, generated=generated,
            name_kk=kk, name_ru=ru, name_en=en,
            geometry={"type": "MultiLineString", "coordinates": [[list(p) for p in c] for c in chains]},
            settlement=settlement_of(lon, lat) if settlement_of else None,
            attrs={"length_m": round(length, 1), "house_max": max(2, int(length / HOUSE_FRONTAGE_M))},
        ))
    return places
