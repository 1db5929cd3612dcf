"""Build a city model from an OpenStreetMap extract (.osm.pbf, .osm, .osm.bz2…) with pyosmium."""

# Every way node becomes a graph node and every pair of consecutive way nodes an edge (no simplification),
# so a point snaps to within a few metres of where it is and counts compare directly with pyrosm's networks.

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import osmium
import osmium.filter
import osmium.geom

from qorgau.city import osm_tags
from qorgau.city.dataset import ModelData, Names, NetworkBuilder, PlaceData, street_places
from qorgau.city.enums import PlaceKind
from qorgau.city.geometry import Point, centroid, convex_hull
from qorgau.core.errors import QorgauError

OSM_LICENCE = "© OpenStreetMap contributors, Open Database License (ODbL) 1.0"
SUFFIXES = (".osm.pbf", ".pbf", ".osm", ".osm.bz2", ".osm.gz", ".o5m")


def _names(tags: Any) -> Names:
    return tags.get("name:kk"), tags.get("name:ru"), tags.get("name:en")


class _Reader:
    """Collects what one pass over the file yields."""

    def __init__(self, data: ModelData) -> None:
        self.data = data
        self.builder = NetworkBuilder(data)
        self.street_names: dict[str, Names] = {}
        self.point_places: dict[tuple[PlaceKind, str], PlaceData] = {}
        self.area_places: list[PlaceData] = []
        self.geojson = osmium.geom.GeoJSONFactory()
        self.missing_nodes = 0

    def way(self, way: Any) -> None:
        tags = way.tags
        drive, walk = osm_tags.is_drivable(tags), osm_tags.is_walkable(tags)
        if not (drive or walk):
            return
        direction = osm_tags.direction(tags) if drive else 0
        name = tags.get("name")
        if name and name not in self.street_names:
            self.street_names[name] = _names(tags)
        fields = {"highway": tags.get("highway", "road")[:40], "speed_kmh": osm_tags.speed_kmh(tags),
                  "drive": drive, "walk": walk, "oneway": direction != 0, "name": name, "osm_way_id": way.id,
                  "maxspeed_kmh": osm_tags.parse_maxspeed(tags.get("maxspeed"))}
        previous: int | None = None
        for ref in way.nodes:
            location = ref.location
            if not location.valid():
                # The extract was clipped through this way: the parts on either side stay, the gap does not.
                previous = None
                self.missing_nodes += 1
                continue
            node = self.builder.node(location.lon, location.lat, key=ref.ref, osm_id=ref.ref)
            if previous is not None:
                source, target = (node, previous) if direction < 0 else (previous, node)
                self.builder.edge(source, target, **fields)
            previous = node

    def node(self, node: Any) -> None:
        tags = node.tags
        kind = osm_tags.place_kind(tags)
        name = tags.get("name")
        if kind in (PlaceKind.SETTLEMENT, PlaceKind.MICRODISTRICT) and name:
            kk, ru, en = _names(tags)
            lon, lat = node.location.lon, node.location.lat
            self.point_places[(kind, name)] = PlaceData(
                kind=kind, name=name, name_kk=kk, name_ru=ru, name_en=en, lon=lon, lat=lat,
                geometry={"type": "Point", "coordinates": [lon, lat]}, population=osm_tags.population(tags),
                attrs={"osm_id": node.id, "place": tags.get("place")})

    def area(self, area: Any) -> None:
        tags = area.tags
        kind = osm_tags.place_kind(tags)
        if kind is None:
            return
        name = tags.get("name", "")
        if kind is not PlaceKind.BLOCK and not name:
            return
        try:
            geometry = json.loads(self.geojson.create_multipolygon(area))
        except RuntimeError:
            return  # a broken multipolygon in the source data; the rest of the file is still good
        lon, lat = centroid(geometry)
        kk, ru, en = _names(tags)
        self.area_places.append(PlaceData(
            kind=kind, name=name, name_kk=kk, name_ru=ru, name_en=en, lon=lon, lat=lat, geometry=geometry,
            population=osm_tags.population(tags),
            attrs={"osm_id": area.orig_id(), "osm_type": "way" if area.from_way() else "relation",
                   "place": tags.get("place"), "landuse": tags.get("landuse")}))

    def places(self) -> list[PlaceData]:
        """Areas and points merged: a place mapped as both keeps the area and the point's position."""
        found = []
        for place in self.area_places:
            point = self.point_places.pop((place.kind, place.name), None)
            if point is not None:
                place.lon, place.lat = point.lon, point.lat
                place.population = place.population or point.population
                place.attrs["osm_node_id"] = point.attrs["osm_id"]
            found.append(place)
        return list(self.point_places.values()) + found


def read_osm(path: Path, *, name: str) -> ModelData:
    """Read an extract into a model: drive and walk networks, places, streets named from their ways."""
    if not path.is_file():
        raise QorgauError("city.import_failed", status=422, params={"reason": f"no such file: {path}"})
    if not path.name.lower().endswith(SUFFIXES):
        raise QorgauError("city.import_failed", status=422,
                          params={"reason": f"{path.name}: expected one of {', '.join(SUFFIXES)}"})
    data = ModelData(name=name, source=f"osm:{path.name}", licence=OSM_LICENCE, generated=False, boundary={})
    reader = _Reader(data)
    processor = (osmium.FileProcessor(str(path))
                 .with_areas(osmium.filter.KeyFilter("place", "landuse"))
                 .with_filter(osmium.filter.KeyFilter("highway", "place", "landuse")))
    try:
        for obj in processor:
            if isinstance(obj, osmium.osm.Changeset):
                continue
            if obj.is_way():
                reader.way(obj)
            elif obj.is_node():
                reader.node(obj)
            elif obj.is_area():
                reader.area(obj)
    except RuntimeError as exc:
        raise QorgauError("city.import_failed", status=422, params={"reason": str(exc)}) from exc
    if not data.edges:
        raise QorgauError("city.import_failed", status=422, params={"reason": "no streets in the file"})
    data.places = reader.places() + street_places(data, names=reader.street_names)
    points: list[Point] = list(zip(data.lons, data.lats, strict=True))
    points += [(p.lon, p.lat) for p in data.places if p.kind is PlaceKind.SETTLEMENT]
    data.boundary = {"type": "Polygon", "coordinates": [[list(p) for p in convex_hull(points)]]}
    data.attrs = {"boundary": "convex hull of the network", "missing_nodes": reader.missing_nodes,
                  "population": "none: OpenStreetMap has no residents per cell"}
    return data
