"""City model storage and queries: save, activate, list, places, population, routing and geocoding."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from qorgau.audit import service as audit
from qorgau.audit.service import Actor
from qorgau.city.dataset import ModelData
from qorgau.city.enums import CityAction, Mode, PlaceKind
from qorgau.city.geocode import GAZETTEERS, Geocoded
from qorgau.city.geometry import bbox_of, contains_point, geometry_points
from qorgau.city.graph import GRAPHS, CityGraph, Route
from qorgau.city.models import CityEdge, CityModel, CityNode, CityPlace, PopulationCell
from qorgau.city.names import name_key, search_key
from qorgau.core.errors import Conflict, NotFound, QorgauError
from qorgau.core.settings import Language
from qorgau.core.time import utcnow

BATCH = 5000
BBox = tuple[float, float, float, float]


def _chunks(rows: list[dict[str, Any]]) -> Iterable[list[dict[str, Any]]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start:start + BATCH]


def _cut(value: str | None, length: int) -> str | None:
    """Names longer than their column (OSM allows 255 characters) are cut rather than failing the import."""
    return value[:length] if value is not None else None


def _insert(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    # Core executemany: ORM bulk inserts would split rows into small batches wherever a value is None.
    for chunk in _chunks(rows):
        session.connection().execute(model.__table__.insert(), chunk)


def save_model(session: Session, *, data: ModelData, activate: bool) -> CityModel:
    """Store a whole model in the caller's transaction; with ``activate`` it becomes the one used by default."""
    if session.scalar(select(CityModel.id).where(CityModel.name == data.name)) is not None:
        raise Conflict("city.model_exists", params={"name": data.name})
    box = bbox_of(geometry_points(data.boundary))
    model = CityModel(
        name=data.name, source=_cut(data.source, 300), licence=_cut(data.licence, 300), generated=data.generated,
        active=False, boundary=data.boundary, min_lon=box[0], min_lat=box[1], max_lon=box[2], max_lat=box[3],
        node_count=len(data.lons), edge_count=len(data.edges), place_count=len(data.places),
        cell_count=len(data.cells), attrs=data.attrs, created_at=utcnow())
    session.add(model)
    session.flush()
    mid = model.id
    _insert(session, CityNode, [{"model_id": mid, "idx": i, "lon": lon, "lat": lat, "osm_id": osm}
                                for i, (lon, lat, osm) in enumerate(zip(data.lons, data.lats, data.osm_ids,
                                                                        strict=True))])
    _insert(session, CityEdge, [{
        "model_id": mid, "source": e.source, "target": e.target, "length_m": e.length_m, "speed_kmh": e.speed_kmh,
        "drive": e.drive, "walk": e.walk, "oneway": e.oneway, "highway": e.highway[:40], "name": _cut(e.name, 200),
        "generated": e.generated, "osm_way_id": e.osm_way_id, "maxspeed_kmh": e.maxspeed_kmh,
        "lon": (data.lons[e.source] + data.lons[e.target]) / 2, "lat": (data.lats[e.source] + data.lats[e.target]) / 2,
    } for e in data.edges])
    settlements: dict[str, int] = {}
    others: list[dict[str, Any]] = []
    for place in sorted(data.places, key=lambda p: p.kind is not PlaceKind.SETTLEMENT):
        box = bbox_of(geometry_points(place.geometry))
        row = {"model_id": mid, "kind": str(place.kind), "name": _cut(place.name, 200) or "",
               "name_kk": _cut(place.name_kk, 200), "name_ru": _cut(place.name_ru, 200),
               "name_en": _cut(place.name_en, 200), "lon": place.lon, "lat": place.lat,
               "search_key": search_key([place.name, place.name_kk, place.name_ru, place.name_en])[:1000],
               "settlement_id": settlements.get(place.settlement or ""), "min_lon": box[0], "min_lat": box[1],
               "max_lon": box[2], "max_lat": box[3], "geometry": place.geometry, "population": place.population,
               "generated": place.generated, "attrs": place.attrs}
        if place.kind is PlaceKind.SETTLEMENT:  # its id is needed by the places and cells inside it
            place_id = session.execute(insert(CityPlace).returning(CityPlace.id), row).scalar_one()
            settlements.setdefault(place.name, place_id)
        else:
            others.append(row)
    _insert(session, CityPlace, others)
    _insert(session, PopulationCell, [{
        "model_id": mid, "gx": c.gx, "gy": c.gy, "lon": c.lon, "lat": c.lat, "residents": c.residents,
        "settlement_id": settlements.get(c.settlement or ""), "generated": c.generated} for c in data.cells])
    if activate:
        activate_model(session, model_id=mid)
    return model


def activate_model(session: Session, *, model_id: int) -> CityModel:
    """Make one model the active one (and every other inactive)."""
    model = session.get(CityModel, model_id)
    if model is None:
        raise NotFound("city.model_not_found", params={"name": str(model_id)})
    session.execute(update(CityModel).where(CityModel.id != model_id, CityModel.active.is_(True))
                    .values(active=False))
    model.active = True
    session.flush()
    return model


def switch_active(session: Session, *, model_id: int, actor: Actor) -> CityModel:
    """An operator's choice of the model used by default, recorded in the audit log."""
    model = activate_model(session, model_id=model_id)
    audit.record(session, action=CityAction.MODEL_ACTIVATE, actor=actor, target_type="city_model",
                 target_id=str(model.id), details={"name": model.name})
    return model


def delete_model(session: Session, *, model_id: int) -> None:
    """Remove a model and everything in it."""
    for table in (PopulationCell, CityPlace, CityEdge, CityNode):
        session.execute(delete(table).where(table.model_id == model_id))
    session.execute(delete(CityModel).where(CityModel.id == model_id))


def by_name(session: Session, name: str) -> CityModel | None:
    return session.scalar(select(CityModel).where(CityModel.name == name))


def active_model(session: Session) -> CityModel:
    """The model used by default; a clear error when none has been seeded or imported."""
    model = session.scalar(select(CityModel).where(CityModel.active.is_(True)).order_by(CityModel.id).limit(1))
    if model is None:
        raise QorgauError("city.no_model", status=409)
    return model


def models_page(session: Session, *, after_id: int | None, limit: int) -> Sequence[CityModel]:
    query = select(CityModel).order_by(CityModel.id).limit(limit)
    if after_id is not None:
        query = query.where(CityModel.id > after_id)
    return session.scalars(query).all()


def graph(session: Session, model: CityModel) -> CityGraph:
    """The model's in-memory graphs, loaded once per process."""
    return GRAPHS.get(session, model.id, model.created_at.isoformat())


def active_graph(session: Session) -> CityGraph:
    """The active model's graphs (routing and recommendation); 409 `city.no_model` when none is loaded."""
    return graph(session, active_model(session))


def import_osm(session: Session, *, path: Path, name: str, replace: bool, actor: Actor) -> CityModel:
    """Build a model from an OSM extract and make it the active one (replacing a generated model in use)."""
    from qorgau.city.osm_import import read_osm  # pyosmium is loaded by the processes that import, not all

    existing = by_name(session, name)
    if existing is not None and not replace:
        raise Conflict("city.model_exists", params={"name": name})
    data = read_osm(path, name=name)
    if existing is not None:
        delete_model(session, model_id=existing.id)
        session.flush()
    model = save_model(session, data=data, activate=True)
    audit.record(session, action=CityAction.MODEL_IMPORT, actor=actor, target_type="city_model",
                 target_id=str(model.id), details={"name": name, "source": data.source, "nodes": model.node_count,
                                                   "edges": model.edge_count})
    return model


def seed_aksai(session: Session, *, actor: Actor) -> tuple[CityModel, bool]:
    """Store the generated Aksai model unless this generator version is already there (idempotent).

    It becomes active only when no other model is: an imported real extract keeps precedence.
    """
    from qorgau.city import aksai  # the generator is needed only by the processes that seed

    existing = by_name(session, aksai.MODEL_NAME)
    if existing is not None and existing.attrs.get("generator_version") == aksai.GENERATOR_VERSION:
        return existing, False
    was_active = existing is not None and existing.active
    if existing is not None:
        delete_model(session, model_id=existing.id)
        session.flush()
    others_active = session.scalar(select(func.count()).select_from(CityModel)
                                   .where(CityModel.active.is_(True))) or 0
    model = save_model(session, data=aksai.build(), activate=was_active or others_active == 0)
    audit.record(session, action=CityAction.MODEL_SEED, actor=actor, target_type="city_model",
                 target_id=str(model.id), details={"name": model.name, "generator_version": aksai.GENERATOR_VERSION})
    return model, True


def _inside(model: CityModel, point: tuple[float, float], field: str) -> None:
    if not contains_point(model.boundary, *point):
        raise QorgauError("city.outside_model", status=422, params={"query": f"{field}={point[0]},{point[1]}"})


def route(session: Session, *, model: CityModel, start: tuple[float, float], end: tuple[float, float],
          mode: Mode) -> Route:
    """The fastest route between two points of the model."""
    _inside(model, start, "from")
    _inside(model, end, "to")
    found = graph(session, model).route(start, end, mode)
    if found is None:
        raise QorgauError("city.route_not_found", status=422, params={"mode": str(mode)})
    return found


def geocode(session: Session, *, model: CityModel, query: str, language: Language) -> Geocoded:
    return GAZETTEERS.get(session, model.id, model.created_at.isoformat()).resolve(query, language)


def places_page(session: Session, *, model: CityModel, kind: PlaceKind | None, q: str | None,
                bbox: BBox | None, after_id: int | None, limit: int) -> Sequence[CityPlace]:
    """Places of a model by id, filtered by kind, a name in any spelling, and a bounding box."""
    query = select(CityPlace).where(CityPlace.model_id == model.id).order_by(CityPlace.id).limit(limit)
    if kind is not None:
        query = query.where(CityPlace.kind == str(kind))
    if q:
        key = name_key(q)  # "ул. Советская" and "Sovetskaya St" find "Советская"
        query = query.where(CityPlace.search_key.contains(key, autoescape=True))
    if bbox is not None:
        query = query.where(CityPlace.max_lon >= bbox[0], CityPlace.min_lon <= bbox[2],
                            CityPlace.max_lat >= bbox[1], CityPlace.min_lat <= bbox[3])
    if after_id is not None:
        query = query.where(CityPlace.id > after_id)
    return session.scalars(query).all()


def get_place(session: Session, *, model: CityModel, place_id: int) -> CityPlace:
    place = session.get(CityPlace, place_id)
    if place is None or place.model_id != model.id:
        raise NotFound()
    return place


def population_page(session: Session, *, model: CityModel, bbox: BBox | None, after_id: int | None,
                    limit: int) -> Sequence[tuple[PopulationCell, str | None]]:
    """Population cells (with their settlement's name) by id, optionally within a bounding box."""
    query = (select(PopulationCell, CityPlace.name).outerjoin(CityPlace, CityPlace.id == PopulationCell.settlement_id)
             .where(PopulationCell.model_id == model.id).order_by(PopulationCell.id).limit(limit))
    if bbox is not None:
        query = query.where(PopulationCell.lon.between(bbox[0], bbox[2]), PopulationCell.lat.between(bbox[1], bbox[3]))
    if after_id is not None:
        query = query.where(PopulationCell.id > after_id)
    return [(cell, name) for cell, name in session.execute(query)]
