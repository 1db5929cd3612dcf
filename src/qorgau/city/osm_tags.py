"""Which OSM ways cars and pedestrians may use, at what speed and in which direction."""

# The filters follow OSMnx's "drive_service" and "walk" networks (as pyrosm does), so counts can be compared
# with pyrosm's; service roads stay in the drive network because patrols reach apartment yards by them.

from __future__ import annotations

import re
from collections.abc import Mapping

from qorgau.city.enums import PlaceKind

ALWAYS_EXCLUDED = frozenset({
    "abandoned", "construction", "no", "planned", "platform", "proposed", "raceway", "razed", "rest_area",
    "services",
})
NOT_FOR_CARS = frozenset({
    "bridleway", "bus_guideway", "busway", "corridor", "cycleway", "elevator", "escalator", "footway", "ladder",
    "path", "pedestrian", "steps", "track", "trail",
})
NOT_FOR_WALKING = frozenset({"bus_guideway", "cycleway", "motor", "motorway", "motorway_link"})
SERVICE_NOT_FOR_CARS = frozenset({"emergency_access", "parking", "parking_aisle", "private"})
CLOSED = frozenset({"no", "private"})

# km/h when no usable maxspeed is tagged: urban defaults of the Kazakh traffic rules (60 in towns), lower
# on minor streets where that is what traffic really does.
DEFAULT_SPEED_KMH = {
    "motorway": 110, "motorway_link": 60, "trunk": 90, "trunk_link": 50, "primary": 60, "primary_link": 40,
    "secondary": 60, "secondary_link": 40, "tertiary": 50, "tertiary_link": 30, "unclassified": 40,
    "residential": 30, "living_street": 10, "service": 20, "road": 40, "track": 20,
}
FALLBACK_SPEED_KMH = 30
ZONE_SPEEDS = {"urban": 60, "rural": 90, "motorway": 110, "living_street": 20, "walk": 5}
_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(km/h|kmh|kph|mph|knots)?\s*$")

SETTLEMENT_PLACES = frozenset({"city", "town", "village", "hamlet", "isolated_dwelling", "municipality"})
DISTRICT_PLACES = frozenset({"suburb", "quarter", "neighbourhood", "borough", "city_block"})


def _values(value: str | None) -> set[str]:
    return {part.strip() for part in value.split(";")} if value else set()


def _closed(tags: Mapping[str, str], keys: tuple[str, ...]) -> bool:
    """OSM access hierarchy: the most specific tag present decides (``foot=yes`` beats ``access=no``)."""
    for key in keys:
        if key in tags:
            return bool(_values(tags[key]) & CLOSED)
    return False


def is_drivable(tags: Mapping[str, str]) -> bool:
    highway = tags.get("highway")
    if not highway or tags.get("area") == "yes":
        return False
    if _values(highway) & (ALWAYS_EXCLUDED | NOT_FOR_CARS):
        return False
    if _values(tags.get("service")) & SERVICE_NOT_FOR_CARS:
        return False
    return not _closed(tags, ("motorcar", "motor_vehicle", "vehicle", "access"))


def is_walkable(tags: Mapping[str, str]) -> bool:
    highway = tags.get("highway")
    if not highway or tags.get("area") == "yes":
        return False
    if _values(highway) & (ALWAYS_EXCLUDED | NOT_FOR_WALKING):
        return False
    if "private" in _values(tags.get("service")):
        return False
    # A road whose sidewalks are mapped as their own ways: walking happens on those, not twice.
    if any("separate" in _values(tags.get(k)) for k in ("sidewalk", "sidewalk:both", "sidewalk:left",
                                                          "sidewalk:right")):
        return False
    return not _closed(tags, ("foot", "access"))


def parse_maxspeed(value: str | None) -> float | None:
    """km/h from a maxspeed tag ("50", "30 mph", "RU:urban", "walk"), or None when unusable."""
    if not value:
        return None
    first = value.split(";")[0].strip().lower()
    match = _NUMBER.match(first)
    if match:
        number = float(match.group(1))
        unit = match.group(2)
        if unit == "mph":
            number *= 1.609344
        elif unit == "knots":
            number *= 1.852
        return number if number > 0 else None
    zone = first.split(":")[-1]
    return float(ZONE_SPEEDS[zone]) if zone in ZONE_SPEEDS else None


def speed_kmh(tags: Mapping[str, str]) -> float:
    highway = tags.get("highway", "")
    tagged = parse_maxspeed(tags.get("maxspeed"))
    return float(tagged if tagged is not None else DEFAULT_SPEED_KMH.get(highway, FALLBACK_SPEED_KMH))


def direction(tags: Mapping[str, str]) -> int:
    """Drive direction: 1 one-way along the way, -1 one-way against it, 0 both ways."""
    value = tags.get("oneway", "").strip().lower()
    if value in {"yes", "true", "1"}:
        return 1
    if value in {"-1", "reverse"}:
        return -1
    if value in {"no", "false", "0", "alternating", "reversible"}:
        return 0
    if tags.get("junction") in {"roundabout", "circular"} or tags.get("highway") in {"motorway"}:
        return 1
    return 0


def place_kind(tags: Mapping[str, str]) -> PlaceKind | None:
    """The place kind of a tagged object: settlements and parts of towns by place=*, blocks by landuse."""
    place = tags.get("place")
    if place in SETTLEMENT_PLACES:
        return PlaceKind.SETTLEMENT
    if place in DISTRICT_PLACES:
        return PlaceKind.MICRODISTRICT
    if tags.get("landuse") == "residential":
        return PlaceKind.BLOCK
    return None


def population(tags: Mapping[str, str]) -> int | None:
    raw = tags.get("population", "").replace(" ", "").replace(",", "")
    return int(raw) if raw.isdigit() else None
