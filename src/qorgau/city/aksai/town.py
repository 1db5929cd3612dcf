"""The generated street layout of Aksai: an arterial grid on the real centre carrying the real street names."""

# About 4 × 3 km, as a town of 36,000 is: a lattice of 200 × 150 m blocks; every third to fifth line an arterial;
# apartment microdistricts (yards reached by service roads, footpaths across the blocks) north of Советская,
# private houses around them, an industrial zone south of Заводская and east of Электростанционная.

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from qorgau.city.dataset import Names, NetworkBuilder, PlaceData
from qorgau.city.enums import PlaceKind
from qorgau.city.geometry import LocalProjection, rectangle

X_LINES = [-2000.0 + 200.0 * i for i in range(21)]
Y_LINES = [-1500.0 + 150.0 * j for j in range(21)]
INSET_M = 10.0  # half a street: blocks stop short of the street's centre line


@dataclass(frozen=True, slots=True)
class Street:
    names: Names  # kk, ru, en
    highway: str
    speed_kmh: float
    real: bool

    @property
    def name(self) -> str:
        return self.names[1] or ""


def _street(ru: str, en: str, highway: str, speed: float, real: bool) -> Street:
    return Street((f"{ru} көшесі", ru, en), highway, speed, real)


# Real names (local press, OpenStreetMap) on the main streets; the others are numbered, and say so.
ARTERIALS_Y = {
    0.0: _street("Советская", "Sovetskaya Street", "primary", 60, True),
    600.0: _street("Октябрьская", "Oktyabrskaya Street", "secondary", 50, True),
    -1200.0: _street("Заводская", "Zavodskaya Street", "secondary", 50, True),
    -600.0: Street(("1-көше", "Улица 1", "Street 1"), "tertiary", 40, False),
    1200.0: Street(("2-көше", "Улица 2", "Street 2"), "tertiary", 40, False),
}
ARTERIALS_X = {
    0.0: _street("Комсомольская", "Komsomolskaya Street", "secondary", 50, True),
    1800.0: _street("Электростанционная", "Elektrostantsionnaya Street", "secondary", 50, True),
    -1000.0: Street(("3-көше", "Улица 3", "Street 3"), "tertiary", 40, False),
    1000.0: Street(("4-көше", "Улица 4", "Street 4"), "tertiary", 40, False),
    -1800.0: Street(("5-көше", "Улица 5", "Street 5"), "tertiary", 40, False),
}


@dataclass(frozen=True, slots=True)
class Microdistrict:
    number: int
    rect: tuple[float, float, float, float]  # x0, y0, x1, y1 in metres from the centre
    real_name: bool
    note: str


MICRODISTRICTS = (
    Microdistrict(4, (0, 0, 1000, 600), True, "Czech-built apartment blocks"),
    Microdistrict(5, (0, 600, 1000, 1200), True, "Czech-built apartment blocks"),
    Microdistrict(10, (-1000, 600, 0, 1200), True, "East German-built apartment blocks"),
    Microdistrict(2, (-1000, 0, 0, 600), False, "name and position generated"),
    Microdistrict(3, (1000, 0, 1800, 600), False, "name and position generated"),
)


@dataclass(slots=True)
class Block:
    rect: tuple[float, float, float, float]
    use: str  # apartments | houses | public | park | industrial
    microdistrict: int | None = None


@dataclass(slots=True)
class Town:
    blocks: list[Block] = field(default_factory=list)
    edge_nodes: dict[int, tuple[float, float]] = field(default_factory=dict)  # outer-ring node → (x, y)
    street_names: dict[str, Names] = field(default_factory=dict)
    places: list[PlaceData] = field(default_factory=list)


def _use(cx: float, cy: float) -> tuple[str, int | None]:
    if cy < -1200 or cx > 1800:
        return "industrial", None
    if -200 < cx < 0 and -300 < cy < -150:
        return "park", None
    if abs(cx) < 1000 and -150 < cy < 0:
        return "public", None
    for md in MICRODISTRICTS:
        x0, y0, x1, y1 = md.rect
        if x0 < cx < x1 and y0 < cy < y1:
            return "apartments", md.number
    return "houses", None


def build_town(builder: NetworkBuilder, proj: LocalProjection, rng: np.random.Generator) -> Town:
    """Add Aksai's streets to ``builder``; returns its blocks, its outer nodes (for roads) and its places."""
    town = Town()
    nx, ny = len(X_LINES), len(Y_LINES)
    uses = {(i, j): _use((X_LINES[i] + X_LINES[i + 1]) / 2, (Y_LINES[j] + Y_LINES[j + 1]) / 2)
            for i in range(nx - 1) for j in range(ny - 1)}
    node = {(i, j): builder.node(*proj.point(X_LINES[i], Y_LINES[j])) for i in range(nx) for j in range(ny)}
    for (i, j), index in node.items():
        if i in (0, nx - 1) or j in (0, ny - 1):
            town.edge_nodes[index] = (X_LINES[i], Y_LINES[j])

    def side_uses(cells: list[tuple[int, int]]) -> set[str]:
        return {uses[c][0] for c in cells if c in uses}

    segments: list[tuple[tuple[int, int], tuple[int, int], Street | None, set[str]]] = []
    for j in range(ny):
        for i in range(nx - 1):
            segments.append(((i, j), (i + 1, j), ARTERIALS_Y.get(Y_LINES[j]), side_uses([(i, j - 1), (i, j)])))
    for i in range(nx):
        for j in range(ny - 1):
            segments.append(((i, j), (i, j + 1), ARTERIALS_X.get(X_LINES[i]), side_uses([(i - 1, j), (i, j)])))
    parent = list(range(len(builder.data.lons)))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    kept, dropped = [], []
    for seg in segments:
        street, sides = seg[2], seg[3]
        # Private-house quarters are irregular: some lanes are missing (dead ends, long blocks).
        if street is None and sides == {"houses"} and rng.random() < 0.08:
            dropped.append(seg)
        else:
            kept.append(seg)
    for a, b, _, _ in kept:
        parent[find(node[a])] = find(node[b])
    for seg in dropped:  # a dropped lane that would cut the town in two comes back
        ra, rb = find(node[seg[0]]), find(node[seg[1]])
        if ra != rb:
            parent[ra] = rb
            kept.append(seg)
    for a, b, street, sides in kept:
        if street is not None:
            town.street_names[street.name] = street.names
            builder.edge(node[a], node[b], highway=street.highway, speed_kmh=street.speed_kmh, drive=True,
                         walk=True, name=street.name, generated=True)
        elif sides <= {"apartments", "park"} or sides == {"industrial"}:
            builder.edge(node[a], node[b], highway="service", speed_kmh=20, drive=True, walk=True, generated=True)
        else:
            builder.edge(node[a], node[b], highway="residential", speed_kmh=30, drive=True, walk=True,
                         generated=True)
    for (i, j), (use, md) in sorted(uses.items()):
        x0, y0, x1, y1 = X_LINES[i], Y_LINES[j], X_LINES[i + 1], Y_LINES[j + 1]
        town.blocks.append(Block((x0 + INSET_M, y0 + INSET_M, x1 - INSET_M, y1 - INSET_M), use, md))
        if use == "apartments":  # footpath across the yard, corner to corner
            builder.edge(node[(i, j)], node[(i + 1, j + 1)], highway="footway", speed_kmh=5, drive=False,
                         walk=True, generated=True)
        elif use == "park":
            middle = builder.node(*proj.point((x0 + x1) / 2, (y0 + y1) / 2))
            for corner in ((i, j), (i + 1, j), (i, j + 1), (i + 1, j + 1)):
                builder.edge(node[corner], middle, highway="footway", speed_kmh=5, drive=False, walk=True,
                             generated=True)
    town.places = _places(town, proj)
    return town


def _places(town: Town, proj: LocalProjection) -> list[PlaceData]:
    places = []
    for md in MICRODISTRICTS:
        geometry = rectangle(*md.rect, proj)
        lon, lat = proj.point((md.rect[0] + md.rect[2]) / 2, (md.rect[1] + md.rect[3]) / 2)
        places.append(PlaceData(
            kind=PlaceKind.MICRODISTRICT, name=f"{md.number} микрорайон", name_kk=f"{md.number} шағын аудан",
            name_ru=f"{md.number} микрорайон", name_en=f"Microdistrict {md.number}", geometry=geometry, lon=lon,
            lat=lat, generated=True, settlement="Ақсай",
            attrs={"number": md.number, "name": "real (local press)" if md.real_name else "generated",
                   "position": "generated", "note": md.note}))
    for block in town.blocks:
        lon, lat = proj.point((block.rect[0] + block.rect[2]) / 2, (block.rect[1] + block.rect[3]) / 2)
        attrs: dict[str, object] = {"use": block.use}
        if block.microdistrict is not None:
            attrs["microdistrict"] = block.microdistrict
        places.append(PlaceData(kind=PlaceKind.BLOCK, name="", geometry=rectangle(*block.rect, proj), lon=lon,
                                lat=lat, generated=True, settlement="Ақсай", attrs=attrs))
    return places
