"""Sites as the desks name them (name in kk/ru/en, address) and the cameras to offer for a point of a site.

Other domains read sites through these plain values. The directory of every site is cached per process and
rebuilt when the registry's revision moves; it is looked up once per transaction (a desk's page of alarms asks
for the same few sites many times).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from qorgau.core.db import Database
from qorgau.core.translit import english
from qorgau.devices import nearest, revision
from qorgau.devices.enums import CameraPurpose, Health
from qorgau.devices.models import Device, Site
from qorgau.devices.schemas import NearestCamera

NEAR_M = 150.0  # cameras standing this close are offered after those that see the point


@dataclass(frozen=True, slots=True)
class SitePlace:
    """A site as an operator knows it."""

    code: str
    kind: str
    subtype: str | None
    name_kk: str
    name_ru: str
    name_en: str
    address: str | None
    lon: float
    lat: float


_lock = threading.Lock()
_directories: dict[str, tuple[int, Mapping[str, SitePlace]]] = {}


def _load(session: Session) -> Mapping[str, SitePlace]:
    return {site.code: SitePlace(site.code, site.kind, site.subtype, site.name_kk, site.name_ru,
                                 english(site.name_en, site.name_ru, site.name_kk), site.address, site.lon, site.lat)
            for site in session.scalars(select(Site))}


def directory(session: Session) -> Mapping[str, SitePlace]:
    """Every site by code, as of this transaction's registry revision."""
    memo: dict[str, Mapping[str, SitePlace]] = session.info.setdefault("devices.sites", {})
    if "sites" in memo:
        return memo["sites"]
    key = str(session.get_bind().engine.url)
    current = revision.current(session)[0]
    found = _directories.get(key)
    if found is None or found[0] != current:
        with _lock:
            found = _directories[key] = (current, _load(session))
    memo["sites"] = found[1]
    return found[1]


def site(session: Session, code: str | None) -> SitePlace | None:
    """The site with this code, or None (no code, or one the registry does not hold)."""
    return directory(session).get(code) if code else None


def _camera(sighting: nearest.Sighting, health: str, own: str | None) -> NearestCamera:
    camera = sighting.camera
    return NearestCamera(
        code=camera.code, name_kk=camera.name_kk, name_ru=camera.name_ru,
        name_en=english(camera.name_en, camera.name_ru, camera.name_kk), site_code=camera.site_code,
        own_site=own is not None and camera.site_code == own, sees=sighting.sees,
        purpose=CameraPurpose(camera.purpose), health=Health(health), lon=camera.lon, lat=camera.lat,
        distance_m=round(sighting.distance_m, 1), bearing_deg=round(sighting.bearing_deg, 1),
        off_axis_deg=round(sighting.off_axis_deg, 1), score=round(sighting.score, 4))


def cameras_for(db: Database, session: Session, lon: float, lat: float, limit: int, *, site_code: str | None = None,
                near_m: float = NEAR_M) -> list[NearestCamera]:
    """The cameras to offer for a point: the site's own cameras first (all of them, seeing the point or not),
    then the cameras that see it, best first, then those standing within ``near_m``; with current health."""
    index = nearest.index_of(db, session)
    own = [s for camera in index.cameras if site_code is not None and camera.site_code == site_code
           if (s := nearest.near(camera, lon, lat, math.inf)) is not None]
    own = nearest.best(own, len(own))
    taken = {s.camera.code for s in own}
    others = [s for s in index.query(lon, lat, limit + len(own), near_m) if s.camera.code not in taken]
    found = (own + others)[:max(limit, len(own))]
    codes = [s.camera.code for s in found]
    states = {code: health for code, health in session.execute(
        select(Device.code, Device.health).where(Device.code.in_(codes)))}
    return [_camera(s, states.get(s.camera.code, "unknown"), site_code) for s in found]

