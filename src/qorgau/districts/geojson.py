"""District sets as GeoJSON: reading a FeatureCollection (import, accept) and writing one (export)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from qorgau.core.errors import ValidationFailed
from qorgau.districts.geometry import problem
from qorgau.districts.schemas import Reception

if TYPE_CHECKING:
    from qorgau.districts.models import DistrictSet


MAX_NUMBER = 9999  # district numbers are small; the bound keeps a number inside the database's integer


@dataclass
class Feature:
    """One district as read from a file, before validation."""

    number: int
    name_kk: str
    name_ru: str
    name_en: str
    geometry: dict[str, Any]
    inspectors: list[str]  # usernames
    site_code: str | None
    reception: dict[str, Any]
    contacts: str | None
    user_ids: list[int] = field(default_factory=list)


@dataclass
class Parsed:
    features: list[Feature]
    area: dict[str, Any] | None


def _text(props: dict[str, Any], key: str, fallback: str) -> str:
    value = props.get(key)
    return str(value).strip()[:200] if value else fallback


def _feature(index: int, item: Any, default_reception: dict[str, Any],
             problems: list[dict[str, str]]) -> Feature | None:
    if not isinstance(item, dict) or item.get("type") != "Feature" or not isinstance(item.get("geometry"), dict):
        problems.append(problem("not_feature", index + 1))
        return None
    props = item.get("properties") or {}
    if not isinstance(props, dict):
        problems.append(problem("not_feature", index + 1))
        return None
    try:
        number = int(props.get("number", index + 1))
    except (TypeError, ValueError, OverflowError):
        number = 0
    if not 1 <= number <= MAX_NUMBER:
        problems.append(problem("bad_number", index + 1, value=str(props.get("number"))[:20]))
        return None
    try:
        reception = Reception.model_validate(props.get("reception") or default_reception).model_dump(by_alias=True)
    except ValidationError:
        problems.append(problem("bad_reception", number))
        return None
    inspectors = props.get("inspectors") or []
    if not isinstance(inspectors, list) or not all(isinstance(u, str) for u in inspectors):
        problems.append(problem("bad_inspectors", number))
        return None
    site = props.get("site_code")
    contacts = props.get("contacts")
    return Feature(number=number, name_kk=_text(props, "name_kk", f"№{number} учаске"),
                   name_ru=_text(props, "name_ru", f"Участок №{number}"),
                   name_en=_text(props, "name_en", f"District {number}"), geometry=item["geometry"],
                   inspectors=[u.strip().lower() for u in inspectors], site_code=str(site)[:32] if site else None,
                   reception=reception, contacts=str(contacts)[:300] if contacts else None)


def parse(collection: dict[str, Any], *, default_reception: dict[str, Any]) -> Parsed:
    """The districts of a FeatureCollection; every problem of shape reported at once."""
    problems: list[dict[str, str]] = []
    if collection.get("type") != "FeatureCollection" or not isinstance(collection.get("features"), list):
        raise ValidationFailed("districts.invalid", errors=[problem("not_collection")], params={"count": 1})
    features = [f for i, item in enumerate(collection["features"])
                if (f := _feature(i, item, default_reception, problems)) is not None]
    area = collection.get("area")
    if area is not None and not (isinstance(area, dict) and area.get("type") in ("Polygon", "MultiPolygon")):
        problems.append(problem("bad_area"))
        area = None
    if problems:
        raise ValidationFailed("districts.invalid", errors=problems, params={"count": len(problems)})
    return Parsed(features=features, area=area)


def dump(district_set: DistrictSet, usernames: dict[int, str]) -> dict[str, Any]:
    """A FeatureCollection that ``parse`` reads back to the same districts."""
    return {
        "type": "FeatureCollection",
        "area": district_set.area,
        "version": district_set.version,
        "valid_from": district_set.valid_from.isoformat(),
        "features": [{
            "type": "Feature",
            "geometry": d.geometry,
            "properties": {
                "number": d.number, "name_kk": d.name_kk, "name_ru": d.name_ru, "name_en": d.name_en,
                "inspectors": [usernames[i.user_id] for i in d.inspectors], "site_code": d.site_code,
                "reception": d.reception, "contacts": d.contacts, "residents": round(d.residents, 1),
            },
        } for d in district_set.districts],
    }
