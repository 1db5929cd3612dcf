"""The Smart Aqsai plan placed on the city model: crossings of real streets, entries, blocks, covering posts."""

from collections import Counter

import pytest
from sqlalchemy import select

from qorgau.city import service as city_service
from qorgau.city.models import CityEdge, CityNode, PopulationCell
from qorgau.core.bus import Context
from qorgau.core.db import Database
from qorgau.devices import geo
from qorgau.devices.city_planner import POST_WALK_M, CityPlanner, planner_for
from qorgau.devices.models import Device, Site
from qorgau.devices.seed import seed
from tests.conftest import CLI_ACTOR


@pytest.fixture
def seeded(db: Database) -> Database:
    with db.unit_of_work() as session:
        city_service.seed_aksai(session, actor=CLI_ACTOR)
    with db.unit_of_work() as session:
        planner = planner_for(session)
        assert isinstance(planner, CityPlanner)
        seed(session, planner, actor=CLI_ACTOR, ctx=Context.system("test"))
    return db


def test_no_city_model_means_no_city_planner(db: Database) -> None:
    with db.reading() as session:
        assert planner_for(session) is None


def test_plan_on_the_city_model_keeps_every_count(seeded: Database) -> None:
    with seeded.reading() as session:
        kinds = Counter(session.scalars(select(Device.kind)))
        purposes = Counter(session.scalars(select(Device.purpose).where(Device.kind == "camera")))
    assert kinds == {"camera": 469, "alarm_panel": 36, "access_point": 29, "sos_terminal": 12}
    assert sum(purposes.values()) == 469
    assert purposes["intersection"] == 25 and purposes["speed"] == 7 and purposes["city_entry_anpr"] == 8


def test_intersections_are_crossings_of_named_streets_of_the_model(seeded: Database) -> None:
    with seeded.reading() as session:
        model = city_service.active_model(session)
        nodes = {(round(lon, 6), round(lat, 6)): idx for idx, lon, lat in session.execute(
            select(CityNode.idx, CityNode.lon, CityNode.lat).where(CityNode.model_id == model.id))}
        crossings = list(session.scalars(select(Site).where(Site.kind == "intersection")))
        assert len(crossings) == 8
        for site in crossings:
            node = nodes[(round(site.lon, 6), round(site.lat, 6))]
            names = set(session.scalars(select(CityEdge.name).where(
                CityEdge.model_id == model.id, (CityEdge.source == node) | (CityEdge.target == node),
                CityEdge.name.is_not(None))))
            first, second = site.name_ru.split(" — ")
            assert {first, second} <= names


def test_entries_are_the_roads_into_town_and_everything_is_in_the_district(seeded: Database) -> None:
    boundary = geo.district_boundary()
    assert boundary is not None
    with seeded.reading() as session:
        model = city_service.active_model(session)
        entries = {(round(e["lon"], 6), round(e["lat"], 6)) for e in model.attrs["town_entries"]}
        sites = list(session.scalars(select(Site)))
    assert {(round(s.lon, 6), round(s.lat, 6)) for s in sites if s.kind == "city_entry"} <= entries
    assert all(boundary.contains(s.lon, s.lat) for s in sites)


def test_police_posts_cover_most_residents_on_foot(seeded: Database) -> None:
    with seeded.reading() as session:
        posts = list(session.scalars(select(Site).where(Site.kind == "police_post")))
        planner = CityPlanner(session)
        cells = list(session.scalars(select(PopulationCell).where(
            PopulationCell.model_id == planner.model.id)))
    town = [c for c in cells if geo.distance_m(planner.lon, planner.lat, c.lon, c.lat) <= 3000]
    covered = sum(c.residents for c in town
                  if any(geo.distance_m(c.lon, c.lat, p.lon, p.lat) <= POST_WALK_M for p in posts))
    assert len(posts) == 5
    assert covered / sum(c.residents for c in town) > 0.6


def test_reception_points_stand_apart_from_the_posts(seeded: Database) -> None:
    with seeded.reading() as session:
        points = list(session.scalars(select(Site).where(Site.kind.in_(["police_post", "reception_point"]))))
    upp = [p for p in points if p.kind == "reception_point"]
    assert sorted(p.code for p in upp) == ["UPP-1", "UPP-2", "UPP-3"] and all(p.generated for p in upp)
    assert all(geo.distance_m(a.lon, a.lat, b.lon, b.lat) > 100 for a in upp for b in points if a.code != b.code)
