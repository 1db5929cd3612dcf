"""Where an incident is: an address geocoded on the active city model, the settlement (area) it lies in with its
names in every language, and the site of the alarm it was opened from."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from qorgau.alarms.schemas import AlarmPlace, PlaceNames
from qorgau.city import queries as city_queries
from qorgau.city import reverse as city_reverse
from qorgau.city import service as city_service
from qorgau.city.geocode import Geocoded
from qorgau.core.settings import Language
from qorgau.devices import places as device_places
from qorgau.incidents.models import AlarmRef, Incident

# The town whose on-scene target is the town's (Aksai); every other settlement gets the district's.
TOWN_AREA = "Ақсай"


def geocode(session: Session, address: str, language: Language) -> Geocoded:
    """The point an address names on the active model; 409 `city.no_model` when none is loaded."""
    model = city_service.active_model(session)
    return city_service.geocode(session, model=model, query=address, language=language)


def area_of(session: Session, lon: float, lat: float) -> str | None:
    """Name of the settlement of the active model the point lies in (None without a model)."""
    return city_queries.settlement_at(session, lon, lat)


def area_names(session: Session, area: str | None) -> PlaceNames | None:
    """The stored area's name in kk, ru and en (remembered for the transaction: a board names few areas)."""
    memo: dict[str | None, PlaceNames | None] = session.info.setdefault("incidents.areas", {})
    if area not in memo:
        names = city_reverse.settlement_names(session, area)
        memo[area] = PlaceNames.model_validate(names) if names else None
    return memo[area]


def site_address(session: Session, site_code: str | None) -> str | None:
    """The street address of the alarm's site: what an incident opened from the alarm is at."""
    site = device_places.site(session, site_code)
    return site.address if site is not None else None


def site_code_of(session: Session, incident: Incident) -> str | None:
    if incident.alarm_id is None:
        return None
    return session.scalar(select(AlarmRef.site_code).where(AlarmRef.alarm_id == incident.alarm_id))


def place_of(session: Session, incident: Incident) -> AlarmPlace | None:
    """The site of the alarm the incident was opened from (name in kk/ru/en, address), or None."""
    site = device_places.site(session, site_code_of(session, incident))
    if site is None:
        return None
    return AlarmPlace(site_code=site.code, site_kind=site.kind, site_subtype=site.subtype,
                      name=PlaceNames(kk=site.name_kk, ru=site.name_ru, en=site.name_en), address=site.address,
                      area=area_names(session, incident.area))
