"""Reverse geocoding: the street address of a point (the inverse of the gazetteer's house interpolation), and
the names of the settlement a point lies in, in every language.

A point takes the nearest named street of the model (within ``MAX_DISTANCE_M``) and the house number the
forward geocoder would put closest to it: numbers run from 1 to the street's ``house_max`` evenly along its
chains, so geocoding the address found here lands within one frontage of the point.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from qorgau.city import queries, service
from qorgau.city.enums import PlaceKind
from qorgau.city.geometry import LocalProjection
from qorgau.city.models import CityPlace
from qorgau.core.errors import QorgauError
from qorgau.core.translit import english

MAX_DISTANCE_M = 400.0


@dataclass(frozen=True)
class StreetAddress:
    """A street's names (kk, ru, en; any may be missing) and a house number on it."""

    name: str
    name_kk: str | None
    name_ru: str | None
    name_en: str | None
    house: int

    def label(self, language: str = "ru") -> str:
        names = {"kk": self.name_kk, "ru": self.name_ru, "en": self.name_en}
        return f"{names.get(language) or self.name_ru or self.name}, {self.house}"


def _along(chain: list[tuple[float, float]], x: float, y: float) -> tuple[float, float, float]:
    """(distance from (x, y) to the chain, metres along the chain to the closest point, the chain's length)."""
    best, at, walked = math.inf, 0.0, 0.0
    for (x1, y1), (x2, y2) in itertools.pairwise(chain):
        dx, dy = x2 - x1, y2 - y1
        step = math.hypot(dx, dy)
        t = 0.0 if step == 0 else max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / (step * step)))
        gap = math.hypot(x1 + t * dx - x, y1 + t * dy - y)
        if gap < best:
            best, at = gap, walked + t * step
        walked += step
    return best, at, walked


def address_at(session: Session, model_id: int, lon: float, lat: float) -> StreetAddress | None:
    """The street address nearest to (lon, lat) on the model, or None when no named street is near."""
    around = LocalProjection(lon, lat)
    pad_lat = MAX_DISTANCE_M / around.ky
    pad_lon = MAX_DISTANCE_M / around.kx
    streets = session.scalars(select(CityPlace).where(
        CityPlace.model_id == model_id, CityPlace.kind == str(PlaceKind.STREET),
        CityPlace.min_lon <= lon + pad_lon, CityPlace.max_lon >= lon - pad_lon,
        CityPlace.min_lat <= lat + pad_lat, CityPlace.max_lat >= lat - pad_lat).order_by(CityPlace.id))
    found: tuple[float, CityPlace, float, float] | None = None
    for street in streets:
        if street.geometry.get("type") not in ("LineString", "MultiLineString"):
            continue
        lines = street.geometry["coordinates"]
        chains = [lines] if street.geometry["type"] == "LineString" else lines
        walked, closest, position = 0.0, math.inf, 0.0
        for chain in chains:
            xy = [(float(x), float(y)) for x, y in (around.to_xy(p[0], p[1]) for p in chain)]
            gap, at, length = _along(xy, 0.0, 0.0)
            if gap < closest:
                closest, position = gap, walked + at
            walked += length
        if closest <= MAX_DISTANCE_M and (found is None or closest < found[0]):
            found = (closest, street, position, walked)
    if found is None:
        return None
    _, street, position, total = found
    house_max = max(int(street.attrs.get("house_max", 1)), 1)
    house = 1 + round(position / total * (house_max - 1)) if total > 0 else 1
    return StreetAddress(street.name, street.name_kk, street.name_ru, street.name_en, house)


def settlement_names(session: Session, name: str | None) -> dict[str, str] | None:
    """The kk, ru and en names of the active model's settlement called ``name`` (as incidents store it); the
    English one transliterated where the model gives none. None for no name."""
    if not name:
        return None
    try:
        model = service.active_model(session)
    except QorgauError:
        model = None
    row = None if model is None else session.execute(
        select(CityPlace.name_kk, CityPlace.name_ru, CityPlace.name_en).where(
            CityPlace.model_id == model.id, CityPlace.kind == str(PlaceKind.SETTLEMENT), CityPlace.name == name)
        .limit(1)).first()
    kk, ru, en = row if row is not None else (None, None, None)
    return {"kk": kk or name, "ru": ru or name, "en": english(en, ru, name)}


def area_at(session: Session, lon: float, lat: float) -> dict[str, str] | None:
    """The names of the settlement the point lies in (see ``settlement_names``)."""
    return settlement_names(session, queries.settlement_at(session, lon, lat))
