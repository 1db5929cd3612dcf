"""Where an incident is: an address geocoded on the active city model, and the settlement (area) it lies in."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from qorgau.city import service as city_service
from qorgau.city.enums import PlaceKind
from qorgau.city.geocode import Geocoded
from qorgau.city.geometry import contains_point
from qorgau.city.models import CityModel, CityPlace
from qorgau.core.errors import QorgauError
from qorgau.core.settings import Language
from qorgau.devices import geo

# The town whose on-scene target is the town's (Aksai); every other settlement gets the district's.
TOWN_AREA = "Ақсай"
AREA_KINDS = (PlaceKind.SETTLEMENT, PlaceKind.MICRODISTRICT, PlaceKind.BLOCK)


def active_model(session: Session) -> CityModel | None:
    try:
        return city_service.active_model(session)
    except QorgauError:
        return None


def geocode(session: Session, address: str, language: Language) -> Geocoded:
    """The point an address names on the active model; 409 `city.no_model` when none is loaded."""
    model = city_service.active_model(session)
    return city_service.geocode(session, model=model, query=address, language=language)


def area_of(session: Session, lon: float, lat: float) -> str | None:
    """Name of the settlement of the active model the point lies in.

    Settlements may be mapped as points only; then the block or microdistrict containing the point names its
    settlement, and outside every block the nearest settlement is taken (villages are kilometres apart).
    """
    model = active_model(session)
    if model is None:
        return None
    containing = session.scalars(select(CityPlace).where(
        CityPlace.model_id == model.id, CityPlace.kind.in_([str(k) for k in AREA_KINDS]),
        CityPlace.min_lon <= lon, CityPlace.max_lon >= lon, CityPlace.min_lat <= lat, CityPlace.max_lat >= lat,
    ).order_by(CityPlace.id))
    for place in containing:
        if place.geometry.get("type") in ("Polygon", "MultiPolygon") and contains_point(place.geometry, lon, lat):
            if place.kind == PlaceKind.SETTLEMENT:
                return place.name
            if place.settlement_id is not None:
                return session.scalar(select(CityPlace.name).where(CityPlace.id == place.settlement_id))
    settlements = session.execute(select(CityPlace.name, CityPlace.lon, CityPlace.lat).where(
        CityPlace.model_id == model.id, CityPlace.kind == str(PlaceKind.SETTLEMENT))).all()
    if not settlements:
        return None
    nearest: str = min(settlements, key=lambda row: geo.distance_m(lon, lat, row.lon, row.lat)).name
    return nearest
