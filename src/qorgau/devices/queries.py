"""Reading the registry: filtered pages, layer counts and the map's GeoJSON."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from qorgau.devices import revision
from qorgau.devices.caches import Cached, PerDatabase
from qorgau.devices.enums import Lifecycle
from qorgau.devices.models import Device, Site
from qorgau.devices.schemas import Summary


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
                   Device.name_ru, Device.lon, Device.lat, Device.heading_deg, Device.fov_deg, Device.range_m)


def feature_collection(session: Session) -> dict[str, Any]:
    """Every device as a GeoJSON point with what the map draws; one query, no ORM objects."""
    # Registry data and health only: the last-seen time changes with every heartbeat and would defeat the cache
    # (the device card reads it from the device itself).
    query = (select(*FEATURE_COLUMNS, Site.code, Site.name_kk, Site.name_ru)
             .outerjoin(Site, Site.id == Device.site_id).order_by(Device.code).execution_options(yield_per=2000))
    features = []
    for row in session.execute(query):
        (code, kind, purpose, health, lifecycle, name_kk, name_ru, lon, lat, heading, fov, range_m, site_code,
         site_kk, site_ru) = row
        properties = {"code": code, "kind": kind, "purpose": purpose, "health": health, "lifecycle": lifecycle,
                      "name_kk": name_kk, "name_ru": name_ru, "site_code": site_code, "site_name_kk": site_kk,
                      "site_name_ru": site_ru}
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
