"""Where an incident is: an address geocoded on the active city model, and the settlement (area) it lies in."""

from __future__ import annotations

from sqlalchemy.orm import Session

from qorgau.city import queries as city_queries
from qorgau.city import service as city_service
from qorgau.city.geocode import Geocoded
from qorgau.core.settings import Language

# The town whose on-scene target is the town's (Aksai); every other settlement gets the district's.
TOWN_AREA = "Ақсай"


def geocode(session: Session, address: str, language: Language) -> Geocoded:
    """The point an address names on the active model; 409 `city.no_model` when none is loaded."""
    model = city_service.active_model(session)
    return city_service.geocode(session, model=model, query=address, language=language)


def area_of(session: Session, lon: float, lat: float) -> str | None:
    """Name of the settlement of the active model the point lies in (None without a model)."""
    return city_queries.settlement_at(session, lon, lat)
