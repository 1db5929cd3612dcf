"""The generated Aksai / Burlinsky district model honours every real fact it is anchored to."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select

from qorgau.city import service
from qorgau.city.aksai import GENERATOR_VERSION, MODEL_NAME, build, facts
from qorgau.city.dataset import ModelData, PlaceData
from qorgau.city.enums import GENERATED_SOURCE, Mode, PlaceKind
from qorgau.city.geometry import LocalProjection, contains, haversine_m
from qorgau.city.models import CityEdge, CityPlace, PopulationCell
from qorgau.core.db import Database
from tests.city.test_graph import graph_of
from tests.conftest import CLI_ACTOR, SHARED

DATA = Path(__file__).resolve().parents[2] / "src" / "qorgau" / "city" / "aksai" / "data"
REAL_STREETS = {"Советская", "Комсомольская", "Октябрьская", "Заводская", "Электростанционная"}
TOWN = (2000.0, 1500.0)


def settlements(data: ModelData) -> dict[str, PlaceData]:
    return {p.name: p for p in data.places if p.kind is PlaceKind.SETTLEMENT}


def test_shipped_data_is_the_shared_data_with_its_licence() -> None:
    for name in ("burlinsky-district.geojson", "burlinsky-places.geojson"):
        assert (DATA / name).read_bytes() == (SHARED / "data" / "aksai" / name).read_bytes()
    sources = (DATA / "SOURCES.md").read_text(encoding="utf-8")
    assert "CC-BY 4.0" in sources and "ODbL" in sources and "generated" in sources


def test_the_27_places_stand_at_their_real_coordinates(aksai_data: ModelData) -> None:
    real = json.loads((SHARED / "data" / "aksai" / "burlinsky-places.geojson").read_text(encoding="utf-8"))
    places = settlements(aksai_data)
    assert len(places) == 27 == len(real["features"])
    for feature in real["features"]:
        place = places[feature["properties"]["name"]]
        assert [place.lon, place.lat] == feature["geometry"]["coordinates"]
        assert place.geometry == feature["geometry"] and place.generated is False
    aksai = places["Ақсай"]
    assert (aksai.lon, aksai.lat) == (53.011478, 51.173893)


def test_population_totals_are_the_official_ones(aksai_data: ModelData) -> None:
    by_settlement: Counter[str | None] = Counter()
    for cell in aksai_data.cells:
        by_settlement[cell.settlement] += cell.residents
    assert sum(by_settlement.values()) == 58_290
    assert by_settlement["Ақсай"] == 36_352
    assert sum(v for k, v in by_settlement.items() if k != "Ақсай") == 21_938
    places = settlements(aksai_data)
    assert sum(p.population or 0 for p in places.values()) == 58_290
    tags = {s.name: s.osm_population for s in facts.settlements() if not s.is_town and s.osm_population}
    assert sum(tags.values()) == 20_991
    for name, tag in tags.items():
        share = places[name].population
        assert by_settlement[name] == share
        assert abs(share - 21_938 * tag / 20_991) < 1  # proportional to the OSM figure, rounded
    for name in ("Қаракұдық", "Казахстан"):  # no population tag anywhere: no invented residents
        assert places[name].population is None and by_settlement[name] == 0


def test_cells_are_a_100_m_grid_inside_the_district(aksai_data: ModelData) -> None:
    cells = aksai_data.cells
    assert len({(c.gx, c.gy) for c in cells}) == len(cells)
    assert all(c.residents > 0 and c.generated for c in cells)
    assert contains(facts.boundary(), [c.lon for c in cells], [c.lat for c in cells]).all()
    proj = LocalProjection(*facts.AKSAI_CENTRE)
    x, y = proj.to_xy([c.lon for c in cells], [c.lat for c in cells])
    assert np.allclose(np.asarray(x) % 100, 50, atol=0.05) and np.allclose(np.asarray(y) % 100, 50, atol=0.05)
    assert {c.settlement for c in cells} == {n for n, p in settlements(aksai_data).items()
                                             if p.population}


def test_every_place_is_reachable_by_car_from_aksai(aksai_data: ModelData) -> None:
    g = graph_of(aksai_data)
    from_aksai = g.travel_times_from(*facts.AKSAI_CENTRE, Mode.DRIVE)
    for name, place in settlements(aksai_data).items():
        nodes, snap = g.snap(place.lon, place.lat, Mode.DRIVE)
        assert snap[0] < 1500, name  # the village grid is around the real point (moved in at the border)
        assert np.isfinite(from_aksai[nodes[0]]) and from_aksai[nodes[0]] < 2 * 3600, name
    assert len(g.modes[Mode.DRIVE].snap_nodes) == sum(1 for _ in set(e.source for e in aksai_data.edges if e.drive)
                                                         | set(e.target for e in aksai_data.edges if e.drive))


def test_streets_microdistricts_and_roads(aksai_data: ModelData) -> None:
    streets = {p.name: p for p in aksai_data.places if p.kind is PlaceKind.STREET}
    assert set(streets) >= REAL_STREETS
    assert all(streets[name].settlement == "Ақсай" for name in REAL_STREETS)
    assert {e.name for e in aksai_data.edges} >= REAL_STREETS
    numbers = {p.attrs["number"]: p for p in aksai_data.places if p.kind is PlaceKind.MICRODISTRICT}
    assert {4, 5, 10} <= set(numbers)
    assert all(numbers[n].attrs["name"].startswith("real") for n in (4, 5, 10))
    assert all(numbers[n].attrs["name"] == "generated" for n in set(numbers) - {4, 5, 10})
    rural = [e for e in aksai_data.edges if e.highway in {"trunk", "secondary", "tertiary", "unclassified"}
             and e.name and not e.name.startswith(("Улица",)) and e.name not in REAL_STREETS]
    assert rural and all(60 <= e.speed_kmh <= 90 for e in rural)
    assert any(e.highway == "trunk" and e.speed_kmh == 90 for e in aksai_data.edges)


def test_aksai_is_a_town_of_its_size_and_araltal_is_not_part_of_it(aksai_data: ModelData) -> None:
    proj = LocalProjection(*facts.AKSAI_CENTRE)
    x, y = proj.to_xy(np.array(aksai_data.lons), np.array(aksai_data.lats))
    in_town = (np.abs(x) <= TOWN[0] + 1) & (np.abs(y) <= TOWN[1] + 1)
    town_edges = [e for e in aksai_data.edges if in_town[e.source] and in_town[e.target]]
    assert 300 <= len(town_edges) <= 2500
    extent = (x[in_town].max() - x[in_town].min(), y[in_town].max() - y[in_town].min())
    assert extent == pytest.approx((4000, 3000), abs=0.1)  # about 4 × 3 km
    araltal = settlements(aksai_data)["Аралтал"]
    distance = haversine_m(araltal.lon, araltal.lat, *facts.AKSAI_CENTRE)
    assert 6000 < distance < 7500
    assert all(c.settlement == "Аралтал" for c in aksai_data.cells
               if haversine_m(c.lon, c.lat, araltal.lon, araltal.lat) < 500)
    assert len(aksai_data.attrs["town_entries"]) >= 4  # where roads come into town (the plan has 4 entries)


def test_everything_generated_is_flagged_and_inside_the_boundary(aksai_data: ModelData) -> None:
    assert aksai_data.generated and aksai_data.source == GENERATED_SOURCE
    assert all(e.generated for e in aksai_data.edges)
    assert all(p.generated for p in aksai_data.places if p.kind is not PlaceKind.SETTLEMENT)
    assert contains(aksai_data.boundary, aksai_data.lons, aksai_data.lats).all()


def test_the_model_is_deterministic(aksai_data: ModelData) -> None:
    def digest(data: ModelData) -> str:
        parts = [data.lons, data.lats, [(e.source, e.target, e.length_m, e.highway) for e in data.edges],
                 [(p.name, p.lon, p.lat) for p in data.places], [(c.gx, c.gy, c.residents) for c in data.cells]]
        return hashlib.sha256(json.dumps(parts).encode()).hexdigest()

    assert digest(build()) == digest(aksai_data)


def test_seeding_is_idempotent_and_stored_whole(db: Database, aksai_data: ModelData) -> None:
    with db.unit_of_work() as session:
        model, created = service.seed_aksai(session, actor=CLI_ACTOR)  # the fixture seeded it already
    assert not created and model.active and model.generated and model.name == MODEL_NAME
    assert model.attrs["generator_version"] == GENERATOR_VERSION
    with db.reading() as session:
        assert model.node_count == len(aksai_data.lons) and model.edge_count == len(aksai_data.edges)
        assert session.scalar(select(func.count()).select_from(CityEdge)) == len(aksai_data.edges)
        assert session.scalar(select(func.sum(PopulationCell.residents))) == 58_290
        assert session.scalar(select(func.count()).select_from(CityPlace)
                              .where(CityPlace.kind == "settlement")) == 27
        unlinked = session.scalar(select(func.count()).select_from(PopulationCell)
                                  .where(PopulationCell.settlement_id.is_(None)))
        assert unlinked == 0
        assert session.scalar(select(func.count()).select_from(CityEdge).where(CityEdge.generated.is_(False))) == 0


def test_a_new_generator_version_replaces_the_stored_model(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    from qorgau.city import aksai

    monkeypatch.setattr(aksai, "GENERATOR_VERSION", GENERATOR_VERSION + 1)
    with db.unit_of_work() as session:
        old = service.by_name(session, MODEL_NAME)
        model, created = service.seed_aksai(session, actor=CLI_ACTOR)
    assert created and model.active and old is not None and model.created_at > old.created_at
