"""HTTP routes of the city model: models, base map, geocoding, routing, places and population."""

from __future__ import annotations

import json
import math
from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy.orm import Session

from qorgau.auth.deps import Require
from qorgau.auth.enums import Permission
from qorgau.auth.service import Principal
from qorgau.city import mapdata, service
from qorgau.city.enums import Layer
from qorgau.city.models import CityModel
from qorgau.city.schemas import (
    CityModelRead,
    GeocodeQuery,
    GeocodeRead,
    LineString,
    MapQuery,
    PageQuery,
    PlaceDetail,
    PlaceRead,
    PlacesQuery,
    PopulationCellRead,
    PopulationQuery,
    RouteQuery,
    RouteRead,
)
from qorgau.core.errors import NotFound, QorgauError
from qorgau.core.pagination import Page, decode_int_cursor, encode_cursor
from qorgau.core.web import ClientSource, DbSession, IdPath, ReadSession, RequestLanguage

router = APIRouter(prefix="/api/city", tags=["city"])
Reader = Annotated[Principal, Require(Permission.CITY_READ)]
Writer = Annotated[Principal, Require(Permission.CITY_WRITE)]


def _invalid(field: str, message: str) -> QorgauError:
    return QorgauError("request.validation_failed", status=422, params={"fields": field},
                       errors=[{"field": f"query.{field}", "message": message}])


def _numbers(text: str, count: int, field: str) -> list[float]:
    try:
        values = [float(part) for part in text.split(",")]
    except ValueError:
        values = []
    if len(values) != count or not all(math.isfinite(v) for v in values):
        raise _invalid(field, f"expected {count} comma-separated numbers")
    return values


def _point(text: str, field: str) -> tuple[float, float]:
    lon, lat = _numbers(text, 2, field)
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise _invalid(field, "expected lon,lat in degrees")
    return lon, lat


def _bbox(text: str | None) -> service.BBox | None:
    if text is None:
        return None
    x0, y0, x1, y1 = _numbers(text, 4, "bbox")
    if x0 > x1 or y0 > y1:
        raise _invalid("bbox", "expected minlon,minlat,maxlon,maxlat")
    return x0, y0, x1, y1


def _model(db: Session, name: str | None) -> CityModel:
    if name is None:
        return service.active_model(db)
    model = service.by_name(db, name)
    if model is None:
        raise NotFound("city.model_not_found", params={"name": name})
    return model


@router.get("/models", response_model=Page[CityModelRead])
def list_models(_: Reader, db: ReadSession, query: Annotated[PageQuery, Query()]) -> Page[CityModelRead]:
    """City models, oldest first; one is active and used by default."""
    rows = service.models_page(db, after_id=decode_int_cursor(query.cursor), limit=query.limit + 1)
    items = [CityModelRead.model_validate(m) for m in rows[:query.limit]]
    return Page(items=items, next_cursor=encode_cursor(items[-1].id) if len(rows) > query.limit else None)


@router.post("/models/{model_id}/activate", response_model=CityModelRead)
def activate(model_id: IdPath, principal: Writer, db: DbSession, source: ClientSource) -> CityModelRead:
    """Make a model the one used by default."""
    model = service.switch_active(db, model_id=model_id, actor=principal.actor(source))
    return CityModelRead.model_validate(model)


@router.get("/map", responses={200: {"content": {"application/geo+json": {}},
                                      "description": "GeoJSON FeatureCollection of the asked layers"}})
def base_map(_: Reader, db: ReadSession, query: Annotated[MapQuery, Query()]) -> Response:
    """The base map (GeoJSON): boundary, settlements, microdistricts, streets, blocks; no tile server needed."""
    try:
        layers = list(dict.fromkeys(Layer(name.strip()) for name in query.layers.split(",") if name.strip()))
    except ValueError as exc:
        raise _invalid("layers", "known layers: " + ", ".join(Layer)) from exc
    model = _model(db, query.model)
    body = mapdata.map_features(db, model=model, layers=layers, bbox=_bbox(query.bbox))
    return Response(json.dumps(body, ensure_ascii=False, separators=(",", ":")), media_type="application/geo+json")


@router.get("/geocode", response_model=GeocodeRead)
def geocode(_: Reader, db: ReadSession, language: RequestLanguage,
            query: Annotated[GeocodeQuery, Query()]) -> GeocodeRead:
    """Resolve an address (street + house, microdistrict, settlement) or coordinates to a point."""
    found = service.geocode(db, model=_model(db, query.model), query=query.q, language=language)
    return GeocodeRead.model_validate(found, from_attributes=True)


@router.get("/route", response_model=RouteRead)
def route(_: Reader, db: ReadSession, query: Annotated[RouteQuery, Query()]) -> RouteRead:
    """Fastest route by car or on foot between two points (lon,lat)."""
    model = _model(db, query.model)
    found = service.route(db, model=model, start=_point(query.start, "from"), end=_point(query.end, "to"),
                          mode=query.mode)
    return RouteRead(mode=query.mode, seconds=round(found.seconds, 1), meters=round(found.meters, 1),
                     generated=model.generated,
                     geometry=LineString(coordinates=[(round(x, 6), round(y, 6)) for x, y in found.coordinates]))


@router.get("/places", response_model=Page[PlaceRead])
def list_places(_: Reader, db: ReadSession, query: Annotated[PlacesQuery, Query()]) -> Page[PlaceRead]:
    """Named places of a model by kind and name (any spelling), oldest first."""
    rows = service.places_page(db, model=_model(db, query.model), kind=query.kind, q=query.q,
                               bbox=_bbox(query.bbox), after_id=decode_int_cursor(query.cursor), limit=query.limit + 1)
    items = [PlaceRead.model_validate(p) for p in rows[:query.limit]]
    return Page(items=items, next_cursor=encode_cursor(items[-1].id) if len(rows) > query.limit else None)


@router.get("/places/{place_id}", response_model=PlaceDetail)
def get_place(place_id: IdPath, _: Reader, db: ReadSession,
              model: Annotated[str | None, Query(max_length=100)] = None) -> PlaceDetail:
    """One place with its geometry."""
    return PlaceDetail.model_validate(service.get_place(db, model=_model(db, model), place_id=place_id))


@router.get("/population", response_model=Page[PopulationCellRead])
def population(_: Reader, db: ReadSession, query: Annotated[PopulationQuery, Query()]) -> Page[PopulationCellRead]:
    """Residents on 100 m cells, optionally within a bounding box."""
    rows = service.population_page(db, model=_model(db, query.model), bbox=_bbox(query.bbox),
                                    after_id=decode_int_cursor(query.cursor), limit=query.limit + 1)
    items = [PopulationCellRead(id=c.id, lon=c.lon, lat=c.lat, residents=c.residents, settlement=name,
                                generated=c.generated) for c, name in rows[:query.limit]]
    return Page(items=items, next_cursor=encode_cursor(items[-1].id) if len(rows) > query.limit else None)
