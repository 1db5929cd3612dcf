"""Reading the registry: filtered pages, layer counts, the map's GeoJSON, and what other domains ask of it."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, undefer

from qorgau.core.translit import english
from qorgau.devices import revision
from qorgau.devices.caches import Cached, PerDatabase
from qorgau.devices.config import DEFAULTS
from qorgau.devices.enums import Lifecycle, SiteKind
from qorgau.devices.models import Device, Site
from qorgau.devices.schemas import SiteRead, Summary


@dataclass(frozen=True)
class BBox:
    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float


@dataclass(frozen=True)
class DeviceFilter:
    """Filters of the device list; each list means "any of"."""

    kinds: Sequence[str] = ()
    purposes: Sequence[str] = ()
    site: str | None = None
    health: Sequence[str] = ()
    lifecycles: Sequence[str] = ()
    bbox: BBox | None = None
    text: str | None = None
    simulated: bool | None = None


def like_pattern(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, with the wildcards of the text itself escaped."""
    escaped = text.strip().casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _filtered(query: Select[Any], where: DeviceFilter) -> Select[Any]:
    if where.kinds:
        query = query.where(Device.kind.in_(list(where.kinds)))
    if where.purposes:
        query = query.where(Device.purpose.in_(list(where.purposes)))
    if where.health:
        query = query.where(Device.health.in_(list(where.health)))
    if where.lifecycles:
        query = query.where(Device.lifecycle.in_(list(where.lifecycles)))
    if where.site:
        site_id = select(Site.id).where(Site.code == where.site.strip().upper()).scalar_subquery()
        query = query.where(Device.site_id == site_id)
    if where.bbox is not None:
        box = where.bbox
        query = query.where(Device.lon.between(box.min_lon, box.max_lon), Device.lat.between(box.min_lat, box.max_lat))
    if where.simulated is not None:
        query = query.where(Device.simulated.is_(where.simulated))
    if where.text and where.text.strip():
        query = query.where(Device.search_text.like(like_pattern(where.text), escape="\\"))
    return query


def page(session: Session, *, where: DeviceFilter, after: str | None, limit: int) -> list[Device]:
    """Devices matching the filter, ordered by code, after the code ``after``."""
    query = _filtered(select(Device), where).order_by(Device.code).limit(limit)
    if after is not None:
        query = query.where(Device.code > after)
    return list(session.scalars(query))


def summary(session: Session) -> Summary:
    """Layer counts from one grouped scan (a handful of groups), not one scan per dimension."""
    query = select(Device.kind, Device.purpose, Device.health, Device.lifecycle, func.count()).group_by(
        Device.kind, Device.purpose, Device.health, Device.lifecycle)
    counts: dict[str, Counter[str]] = {name: Counter() for name in ("kind", "purpose", "health", "lifecycle")}
    for kind, purpose, health, lifecycle, n in session.execute(query):
        counts["lifecycle"][lifecycle] += n
        if lifecycle == Lifecycle.DECOMMISSIONED:
            continue
        counts["kind"][kind] += n
        counts["health"][health] += n
        if purpose is not None:
            counts["purpose"][purpose] += n
    return Summary(total=sum(counts["kind"].values()), by_kind=dict(counts["kind"]),
                   by_purpose=dict(counts["purpose"]), by_health=dict(counts["health"]),
                   by_lifecycle=dict(counts["lifecycle"]))


# Counts change only with the registry or health, which the revision row tracks.
summary_for: PerDatabase[Summary] = PerDatabase(lambda: Cached(revision.current, summary))


FEATURE_COLUMNS = (Device.code, Device.kind, Device.purpose, Device.health, Device.lifecycle, Device.name_kk,
                   Device.name_ru, Device.lon, Device.lat, Device.heading_deg, Device.fov_deg, Device.range_m,
                   Device.name_en)


def feature_collection(session: Session) -> dict[str, Any]:
    """Every device as a GeoJSON point with what the map draws; one query, no ORM objects."""
    # Registry data and health only: the last-seen time changes with every heartbeat and would defeat the cache
    # (the device card reads it from the device itself).
    query = (select(*FEATURE_COLUMNS, Site.code, Site.name_kk, Site.name_ru, Site.name_en)
             .outerjoin(Site, Site.id == Device.site_id).order_by(Device.code).execution_options(yield_per=2000))
    features = []
    for row in session.execute(query):
        (code, kind, purpose, health, lifecycle, name_kk, name_ru, lon, lat, heading, fov, range_m, name_en,
         site_code, site_kk, site_ru, site_en) = row
        # English forms: the given one, else a transliteration, so the English map never falls back to Russian.
        properties = {"code": code, "kind": kind, "purpose": purpose, "health": health, "lifecycle": lifecycle,
                      "name_kk": name_kk, "name_ru": name_ru, "name_en": english(name_en, name_ru, name_kk),
                      "site_code": site_code, "site_name_kk": site_kk, "site_name_ru": site_ru,
                      "site_name_en": english(site_en, site_ru, site_kk) if site_code else None}
        if heading is not None or fov is not None or range_m is not None:
            properties.update(heading_deg=heading, fov_deg=fov, range_m=range_m)
        features.append({"type": "Feature", "id": code, "geometry": {"type": "Point", "coordinates": [lon, lat]},
                         "properties": properties})
    return {"type": "FeatureCollection", "features": features}


def _geojson_bytes(session: Session) -> bytes:
    return json.dumps(feature_collection(session), ensure_ascii=False, separators=(",", ":")).encode()


# The map's whole layer, serialised once per registry or health change instead of once per request.
geojson_for: PerDatabase[bytes] = PerDatabase(lambda: Cached(revision.current, _geojson_bytes))


def all_devices(session: Session) -> list[Device]:
    """Every device ordered by code, with identifiers and zones (for export)."""
    return list(session.scalars(select(Device).order_by(Device.code)))


@dataclass(frozen=True)
class DevicePlace:
    """Where a device stands and what it is: the registry's facts that alarm rules match on."""

    kind: str
    purpose: str | None
    lon: float
    lat: float
    site_code: str | None
    site_kind: str | None
    site_subtype: str | None


def place_of(session: Session, code: str) -> DevicePlace | None:
    """The device's kind, purpose, position and site; None for a code the registry does not hold."""
    query = (select(Device.kind, Device.purpose, Device.lon, Device.lat, Site.code, Site.kind, Site.subtype)
             .outerjoin(Site, Device.site_id == Site.id).where(Device.code == code))
    row = session.execute(query).one_or_none()
    if row is None:
        return None
    kind, purpose, lon, lat, site_code, site_kind, site_subtype = row
    return DevicePlace(kind, purpose, lon, lat, site_code, site_kind, site_subtype)


def registry_revision(session: Session) -> int:
    """A number that moves with every change of the registry (not of health): caches of it compare this."""
    return revision.current(session)[0]


@dataclass(frozen=True, slots=True)
class InService:
    """A device in service as the ingest needs it: identity, place, supervision, decrypted secrets (kept in memory
    only, never in a repr), panel zones and protocol identifiers."""

    id: int
    code: str
    kind: str
    site_code: str | None
    lon: float
    lat: float
    lifecycle: str
    supervision_interval_s: int  # the kind's default where the device states none
    username: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)
    dc09_key: bytes | None = field(default=None, repr=False)
    dc09_local_time: bool = False
    simulated: bool = False  # driven by the simulator: every event it reports is flagged simulated
    zones: Mapping[int, tuple[str, str]] = field(default_factory=dict)  # number → (kind, name)
    identifiers: tuple[tuple[str, str], ...] = ()  # (protocol, value) as stored


def in_service(session: Session) -> list[InService]:
    """Every device not decommissioned, with its secrets decrypted (keep them in memory only)."""
    query = (select(Device).where(Device.lifecycle != Lifecycle.DECOMMISSIONED)
             .options(undefer(Device.username), undefer(Device.password), undefer(Device.dc09_key)))
    return [InService(
        id=device.id, code=device.code, kind=device.kind, site_code=device.site.code if device.site else None,
        lon=device.lon, lat=device.lat, lifecycle=device.lifecycle,
        supervision_interval_s=DEFAULTS.interval_for(device.kind, device.supervision_interval_s),
        username=device.username, password=device.password,
        dc09_key=bytes.fromhex(device.dc09_key) if device.dc09_key else None,
        dc09_local_time=bool(device.dc09_local_time), simulated=bool(device.simulated),
        zones=MappingProxyType({z.number: (z.kind, z.name) for z in device.zones}),
        identifiers=tuple((i.protocol, i.value) for i in device.identifiers),
    ) for device in session.scalars(query)]


def health_in_service(session: Session) -> dict[int, str]:
    """Device id → health of every device not decommissioned."""
    rows = session.execute(select(Device.id, Device.health).where(Device.lifecycle != Lifecycle.DECOMMISSIONED))
    return {int(row[0]): str(row[1]) for row in rows}


def sites_of_kind(session: Session, kind: SiteKind) -> list[SiteRead]:
    """Every site of one kind, by code."""
    rows = session.scalars(select(Site).where(Site.kind == kind).order_by(Site.code))
    return [SiteRead.model_validate(site) for site in rows]
