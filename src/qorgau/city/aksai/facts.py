"""The real facts the generated Aksai model is anchored to, read from the data shipped beside it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

AKSAI_CENTRE = (53.011478, 51.173893)  # lon, lat of OSM node 435393175
DISTRICT_POPULATION = 58_290  # official, 2023-01-01
AKSAI_POPULATION = 36_352
RURAL_POPULATION = DISTRICT_POPULATION - AKSAI_POPULATION  # 21,938
AKSAI_NAME_KK = "Ақсай"
SOURCE_NOTE = ("Boundary: geoBoundaries (CC-BY 4.0, from OpenStreetMap); places: OpenStreetMap (ODbL 1.0); "
               "population totals: stat.gov.kz 2023-01-01; streets, blocks, roads and the spread of residents "
               "over cells are generated")
LICENCE = "Boundary CC-BY 4.0 (geoBoundaries); places © OpenStreetMap contributors, ODbL 1.0"


@dataclass(frozen=True, slots=True)
class Settlement:
    name_kk: str
    name_ru: str | None
    name_en: str | None
    lon: float
    lat: float
    place: str
    osm_id: int
    osm_population: int | None
    population: int | None  # official total for Aksai, the rural total shared by OSM tags for the others

    @property
    def name(self) -> str:
        return self.name_kk

    @property
    def is_town(self) -> bool:
        return self.name_kk == AKSAI_NAME_KK


def _read(name: str) -> dict[str, Any]:
    text = resources.files("qorgau.city.aksai").joinpath(f"data/{name}").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def boundary() -> dict[str, Any]:
    """The district polygon (GeoJSON geometry)."""
    geometry: dict[str, Any] = _read("burlinsky-district.geojson")["features"][0]["geometry"]
    return geometry


def share(total: int, weights: dict[str, int]) -> dict[str, int]:
    """Split ``total`` in proportion to ``weights`` into integers that add up exactly (largest remainder)."""
    weight_sum = sum(weights.values())
    exact = {key: total * w / weight_sum for key, w in weights.items()}
    result = {key: int(value) for key, value in exact.items()}
    left = total - sum(result.values())
    for key in sorted(exact, key=lambda k: (result[k] - exact[k], k))[:left]:
        result[key] += 1
    return result


@cache
def settlements() -> tuple[Settlement, ...]:
    """The 27 places, Aksai first, with the official population totals applied."""
    rows = []
    for feature in _read("burlinsky-places.geojson")["features"]:
        props, (lon, lat) = feature["properties"], feature["geometry"]["coordinates"]
        tag = props.get("population")
        rows.append((props, float(lon), float(lat), int(tag) if tag else None))
    rural = share(RURAL_POPULATION, {p["name"]: tag for p, _, _, tag in rows if tag and p["name"] != AKSAI_NAME_KK})
    found = []
    for props, lon, lat, tag in rows:
        name = props["name"]
        population = AKSAI_POPULATION if name == AKSAI_NAME_KK else rural.get(name)
        found.append(Settlement(
            name_kk=props.get("name:kk") or name, name_ru=props.get("name:ru"), name_en=props.get("name:en"),
            lon=lon, lat=lat, place=props["place"], osm_id=int(props["osm_id"]), osm_population=tag,
            population=population))
    found.sort(key=lambda s: (not s.is_town, s.name_kk))
    return tuple(found)
