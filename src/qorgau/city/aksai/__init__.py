"""The generated model of Aksai and Burlinsky district, anchored to the real facts in ``data/``."""

from __future__ import annotations

import numpy as np

from qorgau.city.aksai import facts
from qorgau.city.aksai.district import Roads, build_villages
from qorgau.city.aksai.population import CELL_M, population_cells
from qorgau.city.aksai.town import build_town
from qorgau.city.dataset import ModelData, NetworkBuilder, PlaceData, street_places
from qorgau.city.enums import GENERATED_SOURCE, PlaceKind
from qorgau.city.geometry import LocalProjection

MODEL_NAME = "aksai"
GENERATOR_VERSION = 1  # bump when the generated layout changes; seeding then replaces the stored model
SEED = 20230101


def _settlement_place(s: facts.Settlement) -> PlaceData:
    attrs: dict[str, object] = {"osm_id": s.osm_id, "place": s.place, "osm_population": s.osm_population,
                                "position": "real (OpenStreetMap)"}
    if s.is_town:
        attrs["population_source"] = "official total 2023-01-01 (stat.gov.kz)"
    elif s.population is None:
        attrs["population_source"] = "none: no OpenStreetMap population tag, so no share of the rural total"
    else:
        attrs["population_source"] = "share of the official rural total 21,938 by OpenStreetMap tags"
    return PlaceData(kind=PlaceKind.SETTLEMENT, name=s.name_kk, name_kk=s.name_kk, name_ru=s.name_ru,
                     name_en=s.name_en, lon=s.lon, lat=s.lat, geometry={"type": "Point", "coordinates": [s.lon, s.lat]},
                     population=s.population, generated=False, settlement=None, attrs=attrs)


def build() -> ModelData:
    """The whole district model, the same every time (fixed seed)."""
    rng = np.random.default_rng(SEED)
    proj = LocalProjection(*facts.AKSAI_CENTRE)
    settlements = list(facts.settlements())
    town_settlement, others = settlements[0], settlements[1:]
    data = ModelData(name=MODEL_NAME, source=GENERATED_SOURCE, licence=facts.LICENCE, generated=True,
                     boundary=facts.boundary())
    builder = NetworkBuilder(data)
    town = build_town(builder, proj, rng)
    villages = build_villages(builder, proj, data.boundary, others)
    roads = Roads(builder, proj, data.boundary, town, villages)
    roads.rural(settlements, roads.trunk(town_settlement.name))
    roads.build()
    town_nodes = set(town.edge_nodes)

    def settlement_of(lon: float, lat: float) -> str | None:
        x, y = proj.to_xy(lon, lat)
        return town_settlement.name if abs(float(x)) <= 2000 and abs(float(y)) <= 1500 else None

    names = {**town.street_names, **roads.street_names}
    data.places = ([_settlement_place(s) for s in settlements] + town.places
                   + street_places(data, names=names, settlement_of=settlement_of, generated=True))
    data.cells = population_cells(town, villages, proj, rng)
    entries = [{"lon": data.lons[e["node"]], "lat": data.lats[e["node"]], "toward": e["toward"]}
               for e in roads.entries if e["node"] in town_nodes]
    data.attrs = {"generator_version": GENERATOR_VERSION, "seed": SEED, "note": facts.SOURCE_NOTE,
                  "cell_size_m": CELL_M, "grid_origin": list(facts.AKSAI_CENTRE),
                  "population_total": facts.DISTRICT_POPULATION, "town_entries": entries}
    return data
