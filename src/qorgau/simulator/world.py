"""What the simulator plays: Aksai's simulated devices, sites, units and street addresses, read from the API.

Everything is sorted by code, so the same registry gives the same world and, with the same seed, the same plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from qorgau.simulator.api import Api


@dataclass(frozen=True, slots=True)
class Site:
    code: str
    kind: str
    subtype: str | None
    name: str
    lon: float
    lat: float

    @property
    def is_school(self) -> bool:
        return self.subtype in ("school", "kindergarten", "college")


@dataclass(frozen=True, slots=True)
class Device:
    code: str
    kind: str
    name: str
    site_code: str | None
    lon: float
    lat: float
    supervision_s: int
    dc09: tuple[str, str, str] | None = None  # receiver, line, account
    mqtt_id: str | None = None
    sip_user: str | None = None
    zones: tuple[tuple[int, str], ...] = ()  # (number, kind)
    encrypted: bool = False

    def zones_of(self, kind: str) -> tuple[int, ...]:
        return tuple(number for number, zone_kind in self.zones if zone_kind == kind)


@dataclass(frozen=True, slots=True)
class Unit:
    code: str
    kind: str
    name: str
    lon: float
    lat: float
    trackers: tuple[str, ...] = ()
    members: tuple[int, ...] = ()

    @property
    def mode(self) -> str:
        return "drive" if self.kind == "patrol_car" else "walk"


@dataclass(frozen=True, slots=True)
class Address:
    """A street address a caller would give: the street's name and a house number, with its position."""

    street: str
    lon: float
    lat: float


@dataclass(frozen=True)
class World:
    sites: tuple[Site, ...]
    devices: tuple[Device, ...]
    units: tuple[Unit, ...]
    streets: tuple[Address, ...]
    sites_by_code: dict[str, Site] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sites_by_code", {site.code: site for site in self.sites})

    def of_kind(self, kind: str) -> tuple[Device, ...]:
        return tuple(d for d in self.devices if d.kind == kind)

    @property
    def panels(self) -> tuple[Device, ...]:
        return tuple(d for d in self.devices if d.kind == "alarm_panel" and d.dc09 is not None)

    @property
    def turnstiles(self) -> tuple[Device, ...]:
        return tuple(d for d in self.devices if d.kind == "access_point" and d.mqtt_id is not None)

    @property
    def terminals(self) -> tuple[Device, ...]:
        return tuple(d for d in self.devices if d.kind == "sos_terminal" and d.sip_user is not None)

    @property
    def cameras(self) -> tuple[Device, ...]:
        return self.of_kind("camera")

    def site_of(self, device: Device) -> Site | None:
        return self.sites_by_code.get(device.site_code) if device.site_code else None

    def at_school(self, device: Device) -> bool:
        site = self.site_of(device)
        return site is not None and site.is_school

    def device(self, code: str) -> Device:
        for candidate in self.devices:
            if candidate.code == code:
                return candidate
        raise KeyError(code)


def device_from_api(item: dict[str, Any]) -> Device:
    identifiers = item.get("identifiers") or {}
    dc09 = identifiers.get("dc09")
    return Device(
        code=item["code"], kind=item["kind"], name=item.get("name_ru") or item["code"], site_code=item.get("site_code"),
        lon=item["lon"], lat=item["lat"], supervision_s=int(item["effective_supervision_interval_s"]),
        dc09=(str(dc09.get("receiver") or "0"), str(dc09["line"]), str(dc09["account"])) if dc09 else None,
        mqtt_id=identifiers.get("mqtt_client_id"), sip_user=identifiers.get("sip_user"),
        zones=tuple((int(z["number"]), str(z["kind"])) for z in item.get("zones") or ()),
        encrypted=bool(item.get("has_dc09_key")),
    )


async def load_world(api: Api, *, only_simulated: bool = True) -> World:
    """The registry's simulated devices in service, their sites, the simulated units and the streets."""
    params: dict[str, Any] = {"lifecycle": "commissioned"}
    if only_simulated:
        params["simulated"] = "true"
    devices = sorted((device_from_api(item) for item in await api.all("/api/devices", **params)),
                     key=lambda d: d.code)
    sites = sorted((Site(code=s["code"], kind=s["kind"], subtype=s.get("subtype"), name=s.get("name_ru") or s["code"],
                         lon=s["lon"], lat=s["lat"]) for s in await api.all("/api/sites")), key=lambda s: s.code)
    unit_params: dict[str, Any] = {"simulated": "true"} if only_simulated else {}
    units = sorted((Unit(code=u["code"], kind=u["kind"], name=u["name"], lon=u["lon"] or 0.0, lat=u["lat"] or 0.0,
                         trackers=tuple(u.get("trackers") or ()), members=tuple(u.get("members") or ()))
                    for u in await api.all("/api/units", **unit_params) if u["active"] and u["lon"] is not None),
                   key=lambda u: u.code)
    return World(sites=tuple(sites), devices=tuple(devices), units=tuple(units),
                 streets=tuple(street_points(await api.get("/api/city/map", layers="streets"))))


def _is_street(properties: dict[str, Any]) -> bool:
    """A street people live on, not a highway or a road between settlements ('Дорога Аксай — Облавка')."""
    name = properties.get("name_ru") or properties.get("name")
    return bool(name) and "—" not in str(name) and properties.get("highway") not in ("trunk", "motorway")


def street_points(layer: dict[str, Any]) -> list[Address]:
    """Every vertex of the named streets of the base map: addresses on the network, for callers and patrols."""
    points = {(str(f["properties"].get("name_ru") or f["properties"].get("name")), round(x, 6), round(y, 6))
              for f in layer.get("features", ()) if _is_street(f["properties"])
              for line in f["geometry"]["coordinates"] for x, y in line}
    return [Address(street=name, lon=lon, lat=lat) for name, lon, lat in sorted(points)]
