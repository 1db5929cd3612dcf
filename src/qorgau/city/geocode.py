"""Geocoding against a city model: coordinates, "street + house", a microdistrict, or a place name."""

# Spellings are matched through folded keys (names.py), so Kazakh, Russian and Latin forms of a name and
# any letter case find the same place. House numbers are interpolated along the street.

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qorgau.city.cache import ModelCache
from qorgau.city.enums import PlaceKind
from qorgau.city.geometry import Point, contains_point, point_along, polyline_length_m
from qorgau.city.models import CityModel, CityPlace
from qorgau.city.names import HOUSE_WORDS, MICRODISTRICT_WORDS, fold, name_key
from qorgau.core.errors import QorgauError
from qorgau.core.settings import Language

_DOT_PAIR = re.compile(r"\s*([-+]?\d{1,3}\.\d+)\s*[,;\s]\s*([-+]?\d{1,3}\.\d+)\s*")
_COMMA_PAIR = re.compile(r"\s*([-+]?\d{1,3},\d+)\s*[;\s]\s*([-+]?\d{1,3},\d+)\s*")
_TOKENS = re.compile(r"\d+|[a-z]+")
_HOUSE_END = re.compile(r"^(?P<street>.*?\S)[\s,]+(?P<house>\d{1,4})(?P<suffix>\s?[a-zа-яёәғқңөұүһі]|/\d{1,3})?\s*$",
                        re.IGNORECASE)
_HOUSE_START = re.compile(r"^\s*(?P<house>\d{1,4})(?P<suffix>[a-zа-я]|/\d{1,3})?[\s,]+(?P<street>\D.*)$",
                          re.IGNORECASE)
_ORDINAL = frozenset({"i", "ii", "oi", "si", "ci", "th", "st", "nd", "rd", "go"})
FUZZY_CUTOFF = 0.85


@dataclass(frozen=True, slots=True)
class Geocoded:
    lon: float
    lat: float
    label: str
    kind: str  # settlement | microdistrict | street | address | coordinates
    generated: bool


def parse_coordinates(text: str) -> tuple[float, float] | None:
    """Two decimal numbers ("51.17, 53.01", "51,17 53,01"), in the order given; None if not that shape."""
    match = _DOT_PAIR.fullmatch(text) or _COMMA_PAIR.fullmatch(text)
    if match is None:
        return None
    return float(match.group(1).replace(",", ".")), float(match.group(2).replace(",", "."))


def parse_microdistrict(text: str) -> int | None:
    """The number of a microdistrict query ("4 мкр", "микрорайон 10", "5 шағын аудан", "мкр. 4, д. 12")."""
    tokens = _TOKENS.findall(fold(text))
    marks = [k for k, t in enumerate(tokens) if t in MICRODISTRICT_WORDS and len(t) > 1]
    if not marks:
        return None
    for k in marks:
        for j in (k - 1, k - 2, k + 1):
            if 0 <= j < len(tokens) and tokens[j].isdigit():
                between = tokens[min(j, k) + 1:max(j, k)]
                if all(t in _ORDINAL or t in MICRODISTRICT_WORDS for t in between):
                    return int(tokens[j])
    return None


def split_house(text: str) -> tuple[str, int, str] | None:
    """("street words", house number, "12а") from "Советская 12а", "ул. Советская, д. 12", "12 Sovetskaya St"."""
    for pattern in (_HOUSE_END, _HOUSE_START):
        match = pattern.match(text.strip())
        if match is None:
            continue
        street = " ".join(w for w in match.group("street").split() if fold(w) not in HOUSE_WORDS).strip(" ,;")
        if not name_key(street):
            continue
        suffix = (match.group("suffix") or "").strip()
        return street, int(match.group("house")), f"{int(match.group('house'))}{suffix}"
    return None


@dataclass(frozen=True, slots=True)
class _Entry:
    kind: PlaceKind
    names: dict[str, str | None]  # "", kk, ru, en
    lon: float
    lat: float
    generated: bool
    geometry: dict[str, Any]
    attrs: dict[str, Any]

    def label(self, language: Language) -> str:
        return self.names.get(language) or self.names[""] or ""


class Gazetteer:
    """The searchable places of one model and its boundary."""

    def __init__(self, boundary: dict[str, Any], entries: list[_Entry]) -> None:
        self.boundary = boundary
        self.entries = entries
        self.keys: dict[PlaceKind, dict[str, _Entry]] = {kind: {} for kind in PlaceKind}
        self.microdistricts: dict[int, _Entry] = {}
        for entry in entries:
            for name in entry.names.values():
                if name:
                    self.keys[entry.kind].setdefault(name_key(name), entry)
            if entry.kind is PlaceKind.MICRODISTRICT and isinstance(entry.attrs.get("number"), int):
                self.microdistricts.setdefault(entry.attrs["number"], entry)

    def resolve(self, query: str, language: Language = "ru") -> Geocoded:
        """The point a query names; QorgauError ``city.address_not_found`` / ``city.outside_model`` if none."""
        text = query.strip()
        if not text:
            raise QorgauError("city.address_not_found", status=422, params={"query": query})
        pair = parse_coordinates(text)
        if pair is not None:
            return self._coordinates(text, *pair)
        number = parse_microdistrict(text)
        if number is not None and number in self.microdistricts:
            entry = self.microdistricts[number]
            return Geocoded(entry.lon, entry.lat, entry.label(language), "microdistrict", entry.generated)
        house = split_house(text)
        if house is not None:
            street = self._find(house[0], (PlaceKind.STREET,))
            if street is not None:
                found = self._house(street, house[1], house[2], language)
                if found is None:  # the street exists but has no such number: say so, not "the street"
                    raise QorgauError("city.address_not_found", status=422, params={"query": query})
                return found
        parts = [p for p in text.split(",") if p.strip()]
        if len(parts) > 1 and self._find(parts[0], (PlaceKind.SETTLEMENT,)) is not None:
            return self.resolve(",".join(parts[1:]), language)  # "Ақсай, Советская 12": the town is implied
        place = self._find(text, (PlaceKind.SETTLEMENT, PlaceKind.MICRODISTRICT, PlaceKind.STREET))
        if place is None:
            raise QorgauError("city.address_not_found", status=422, params={"query": query})
        return Geocoded(place.lon, place.lat, place.label(language), str(place.kind), place.generated)

    def _coordinates(self, text: str, first: float, second: float) -> Geocoded:
        # People write "lat, lon" (51.17, 53.01) but GeoJSON habits give "lon, lat": take the order that
        # falls inside the model, and "lat, lon" when both do.
        for lat, lon in ((first, second), (second, first)):
            if abs(lat) <= 90 and abs(lon) <= 180 and contains_point(self.boundary, lon, lat):
                return Geocoded(lon, lat, f"{lat:.6f}, {lon:.6f}", "coordinates", False)
        raise QorgauError("city.outside_model", status=422, params={"query": text})

    def _find(self, text: str, kinds: tuple[PlaceKind, ...]) -> _Entry | None:
        key = name_key(text)
        if not key:
            return None
        for kind in kinds:
            if key in self.keys[kind]:
                return self.keys[kind][key]
        for kind in kinds:  # a typo or another transliteration: the closest name of the kind, if close
            close = difflib.get_close_matches(key, list(self.keys[kind]), n=1, cutoff=FUZZY_CUTOFF)
            if close:
                return self.keys[kind][close[0]]
        return None

    def _house(self, street: _Entry, number: int, label: str, language: Language) -> Geocoded | None:
        house_max = int(street.attrs.get("house_max", 0))
        if not 1 <= number <= house_max:
            return None
        chains: list[list[Point]] = [[(float(x), float(y)) for x, y, *_ in c] for c in street.geometry["coordinates"]]
        lengths = [polyline_length_m(c) for c in chains]
        target = (number - 1) / max(house_max - 1, 1) * sum(lengths)
        for chain, length in zip(chains, lengths, strict=True):
            if target <= length or chain is chains[-1]:
                lon, lat = point_along(chain, target / length if length else 0.0)
                return Geocoded(float(lon), float(lat), f"{street.label(language)}, {label}", "address",
                                street.generated)
            target -= length
        return None


def gazetteer_of(boundary: dict[str, Any], places: Iterable[Any]) -> Gazetteer:
    """A gazetteer of stored places or of a model not stored yet (anything with a place's attributes)."""
    entries = [_Entry(PlaceKind(p.kind), {"": p.name, "kk": p.name_kk, "ru": p.name_ru, "en": p.name_en}, p.lon,
                      p.lat, p.generated, p.geometry, dict(p.attrs))
               for p in places if p.kind != PlaceKind.BLOCK]
    return Gazetteer(boundary, entries)


def load_gazetteer(session: Session, model_id: int) -> Gazetteer:
    model = session.get(CityModel, model_id)
    rows = session.scalars(select(CityPlace).where(
        CityPlace.model_id == model_id, CityPlace.kind != str(PlaceKind.BLOCK)).order_by(CityPlace.id)).all()
    return gazetteer_of(model.boundary if model is not None else {}, rows)


GAZETTEERS: ModelCache[Gazetteer] = ModelCache(load_gazetteer)
