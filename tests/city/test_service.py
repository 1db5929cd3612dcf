"""City service on SQLite and PostgreSQL: active model, places, population, routing, geocoding, deletion."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from qorgau.audit.models import AuditRecord
from qorgau.city import service
from qorgau.city.dataset import ModelData, NetworkBuilder, PlaceData
from qorgau.city.enums import CityAction, Mode, PlaceKind
from qorgau.city.models import CityEdge, CityModel, CityNode, CityPlace, PopulationCell
from qorgau.core.db import Database
from qorgau.core.errors import QorgauError

AKSAI = (53.011478, 51.173893)
BURLIN = (52.715065, 51.427292)


def tiny_model(name: str) -> ModelData:
    """Two streets crossing: enough to store, activate and delete a second model."""
    square = {"type": "Polygon", "coordinates": [[[10, 10], [11, 10], [11, 11], [10, 11], [10, 10]]]}
    data = ModelData(name=name, source="test", licence="-", generated=False, boundary=square)
    builder = NetworkBuilder(data)
    builder.line([(10.2, 10.5), (10.5, 10.5), (10.8, 10.5)], highway="residential", speed_kmh=30, drive=True,
                 walk=True, name="Main")
    builder.line([(10.5, 10.2), (10.5, 10.5)], highway="footway", speed_kmh=5, drive=False, walk=True)
    data.places = [PlaceData(kind=PlaceKind.SETTLEMENT, name="Tiny", lon=10.5, lat=10.5,
                             geometry={"type": "Point", "coordinates": [10.5, 10.5]})]
    return data


def test_the_seeded_model_is_active(db: Database) -> None:
    with db.reading() as session:
        model = service.active_model(session)
        assert (model.name, model.generated, model.source) == ("aksai", True, "generated")
        assert [m.name for m in service.models_page(session, after_id=None, limit=10)] == ["aksai"]
        records = session.scalars(select(AuditRecord).where(AuditRecord.action == CityAction.MODEL_SEED)).all()
        assert len(records) == 1


def test_one_active_model_at_a_time(db: Database) -> None:
    with db.unit_of_work() as session:
        tiny = service.save_model(session, data=tiny_model("tiny"), activate=False)
        assert service.active_model(session).name == "aksai"
        service.activate_model(session, model_id=tiny.id)
    with db.reading() as session:
        assert [m.name for m in session.scalars(select(CityModel).where(CityModel.active.is_(True)))] == ["tiny"]
    with pytest.raises(IntegrityError), db.unit_of_work() as session:  # the database refuses a second one too
        session.execute(update(CityModel).values(active=True))
    with pytest.raises(QorgauError) as exists, db.unit_of_work() as session:
        service.save_model(session, data=tiny_model("tiny"), activate=False)
    assert exists.value.code == "city.model_exists"


def test_deleting_a_model_removes_everything_in_it(db: Database) -> None:
    with db.unit_of_work() as session:
        tiny = service.save_model(session, data=tiny_model("tiny"), activate=False)
        counts = {t: session.scalars(select(func.count()).select_from(t)).one()
                  for t in (CityNode, CityEdge, CityPlace)}
        service.delete_model(session, model_id=tiny.id)
    with db.reading() as session:
        after = {t: session.scalars(select(func.count()).select_from(t)).one() for t in (CityNode, CityEdge, CityPlace)}
        assert after[CityNode] == counts[CityNode] - 4 and after[CityEdge] == counts[CityEdge] - 3
        assert after[CityPlace] == counts[CityPlace] - 1
        assert service.by_name(session, "tiny") is None


def test_no_model_is_a_clear_error(empty_city: None, db: Database) -> None:
    with pytest.raises(QorgauError) as error, db.reading() as session:
        service.active_model(session)
    assert (error.value.code, error.value.status) == ("city.no_model", 409)


def test_places_by_kind_name_and_page(db: Database) -> None:
    with db.reading() as session:
        model = service.active_model(session)
        for q in ("Бурлин", "Бөрлі", "burlin", "BORLI"):
            (found,) = service.places_page(session, model=model, kind=PlaceKind.SETTLEMENT, q=q, bbox=None,
                                           after_id=None, limit=10)
            assert (found.lon, found.lat) == BURLIN
        for q in ("советская", "ул. Советская", "Sovetskaya St"):
            streets = service.places_page(session, model=model, kind=PlaceKind.STREET, q=q, bbox=None,
                                          after_id=None, limit=10)
            assert [s.name for s in streets] == ["Советская"], q
        first = service.places_page(session, model=model, kind=None, q=None, bbox=None, after_id=None, limit=100)
        second = service.places_page(session, model=model, kind=None, q=None, bbox=None, after_id=first[-1].id,
                                     limit=100)
        assert len(first) == 100 and first[-1].id < second[0].id
        town = service.places_page(session, model=model, kind=PlaceKind.SETTLEMENT, q=None,
                                   bbox=(52.95, 51.15, 53.05, 51.2), after_id=None, limit=100)
        assert {p.name for p in town} == {"Ақсай"}


def test_population_cells_sum_to_the_district(db: Database) -> None:
    with db.reading() as session:
        model = service.active_model(session)
        cells = service.population_page(session, model=model, bbox=None, after_id=None, limit=100_000)
        assert sum(c.residents for c, _ in cells) == 58_290
        town = service.population_page(session, model=model, bbox=(52.98, 51.16, 53.04, 51.19), after_id=None,
                                       limit=100_000)
        assert sum(c.residents for c, _ in town) == 36_352 and {name for _, name in town} == {"Ақсай"}


def test_route_and_geocode_through_the_cached_model(db: Database) -> None:
    with db.reading() as session:
        model = service.active_model(session)
        burlin = service.geocode(session, model=model, query="Бурлин", language="ru")
        route = service.route(session, model=model, start=AKSAI, end=(burlin.lon, burlin.lat), mode=Mode.DRIVE)
        assert 20 * 60 < route.seconds < 90 * 60 and route.meters > 35_000
        walk = service.route(session, model=model, start=AKSAI, end=(53.02, 51.18), mode=Mode.WALK)
        assert walk.seconds == pytest.approx(walk.meters / (5 / 3.6), rel=1e-6)
        with pytest.raises(QorgauError) as outside:
            service.route(session, model=model, start=AKSAI, end=(37.6, 55.7), mode=Mode.DRIVE)
        assert outside.value.code == "city.outside_model"


def test_cells_link_to_their_settlement(db: Database) -> None:
    with db.reading() as session:
        rows = session.execute(select(CityPlace.name, func.sum(PopulationCell.residents))
                               .join(CityPlace, CityPlace.id == PopulationCell.settlement_id)
                               .group_by(CityPlace.name)).all()
        assert dict(rows)["Бөрлі"] == 3870
