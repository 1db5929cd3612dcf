"""Which cameras can see a point: an in-memory grid of camera coverage, rebuilt when the registry changes.

Each camera is filed under every 100 m grid cell its range circle touches, so a query reads one cell and tests
only the cameras that might reach the point: distance within range, bearing within the field of view around
the heading. Score (0–1, best first): 0.6 × (1 − distance / range) + 0.4 × (1 − off-axis angle / half field of
view); a camera without a heading turns (PTZ) and scores the full 0.4 for centredness.

Asked with ``near_m``, a query also offers the cameras standing within that distance that do not see the point
(``sees`` false, score 0, nearest first, after every camera that sees it): an operator looking for a picture of
a place wants the camera across the street even when it looks the other way, and most points in a town are in
no camera's field of view at all.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from qorgau.core.db import Database
from qorgau.devices import geo, revision
from qorgau.devices.caches import Cached, PerDatabase
from qorgau.devices.config import DEFAULTS
from qorgau.devices.enums import DeviceKind, Lifecycle
from qorgau.devices.models import Device, Site

CELL_M = 100.0
WIDE_M = 1000.0  # cameras reaching further are checked on every query instead of filling thousands of cells
DISTANCE_WEIGHT = 0.6


@dataclass(frozen=True, slots=True)
class Camera:
    code: str
    name_kk: str
    name_ru: str
    purpose: str
    lon: float
    lat: float
    heading_deg: float | None
    fov_deg: float
    range_m: float
    name_en: str | None = None
    site_code: str | None = None


@dataclass(frozen=True, slots=True)
class Sighting:
    camera: Camera
    distance_m: float
    bearing_deg: float
    off_axis_deg: float
    score: float
    sees: bool = True


def sees(camera: Camera, lon: float, lat: float) -> Sighting | None:
    """How ``camera`` sees the point, or None when it is out of range or outside the field of view."""
    dx, dy = geo.local_xy(camera.lon, camera.lat, lon, lat)
    distance = math.hypot(dx, dy)
    if distance > camera.range_m:
        return None
    bearing = math.degrees(math.atan2(dx, dy)) % 360.0 if distance > 0 else camera.heading_deg or 0.0
    if camera.heading_deg is None or camera.fov_deg >= 360:
        off_axis, centred = 0.0, 1.0
    else:
        half = camera.fov_deg / 2
        off_axis = geo.angle_between(camera.heading_deg, bearing)
        if off_axis > half:
            return None
        centred = 1.0 - off_axis / half
    score = DISTANCE_WEIGHT * (1.0 - distance / camera.range_m) + (1 - DISTANCE_WEIGHT) * centred
    return Sighting(camera, distance, bearing, off_axis, score)


def near(camera: Camera, lon: float, lat: float, within_m: float) -> Sighting | None:
    """How ``camera`` sees the point, or, when it does not, a sighting marked not seeing it if it stands within
    ``within_m`` of the point; None otherwise."""
    seen = sees(camera, lon, lat)
    if seen is not None or within_m <= 0:
        return seen
    dx, dy = geo.local_xy(camera.lon, camera.lat, lon, lat)
    distance = math.hypot(dx, dy)
    if distance > within_m:
        return None
    bearing = math.degrees(math.atan2(dx, dy)) % 360.0 if distance > 0 else 0.0
    off_axis = geo.angle_between(camera.heading_deg, bearing) if camera.heading_deg is not None else 0.0
    return Sighting(camera, distance, bearing, off_axis, 0.0, sees=False)


def best(sightings: Iterable[Sighting], limit: int) -> list[Sighting]:
    return sorted(sightings, key=lambda s: (not s.sees, -s.score, s.distance_m, s.camera.code))[:limit]


def brute_force(cameras: Iterable[Camera], lon: float, lat: float, limit: int, near_m: float = 0.0
                ) -> list[Sighting]:
    """Every camera tested in turn: the baseline the index is measured against, and its test oracle."""
    return best((s for c in cameras if (s := near(c, lon, lat, near_m)) is not None), limit)


class CameraIndex:
    """Cameras filed by the grid cells their coverage touches (projected metres about a reference latitude)."""

    def __init__(self, cameras: Iterable[Camera], cell_m: float = CELL_M) -> None:
        self.cameras = list(cameras)
        self.by_code = {camera.code: camera for camera in self.cameras}
        self.cell_m = cell_m
        ref = sum(c.lat for c in self.cameras) / len(self.cameras) if self.cameras else 0.0
        self._kx = geo.M_PER_DEG * math.cos(math.radians(ref))
        self._cells: dict[tuple[int, int], list[Camera]] = {}
        self._at: dict[tuple[int, int], list[Camera]] = {}  # each camera once, in the cell it stands in
        self._wide: list[Camera] = []
        for camera in self.cameras:
            x, y = self._xy(camera.lon, camera.lat)
            self._at.setdefault((math.floor(x / cell_m), math.floor(y / cell_m)), []).append(camera)
            if camera.range_m > WIDE_M:
                self._wide.append(camera)
                continue
            # Projected x stretches by cos(ref)/cos(lat) away from the reference latitude; 1 % spare for rounding.
            rx = camera.range_m * math.cos(math.radians(ref)) / math.cos(math.radians(camera.lat)) * 1.01
            ry = camera.range_m * 1.01
            for ix in range(math.floor((x - rx) / cell_m), math.floor((x + rx) / cell_m) + 1):
                for iy in range(math.floor((y - ry) / cell_m), math.floor((y + ry) / cell_m) + 1):
                    self._cells.setdefault((ix, iy), []).append(camera)

    def _xy(self, lon: float, lat: float) -> tuple[float, float]:
        return lon * self._kx, lat * geo.M_PER_DEG

    def query(self, lon: float, lat: float, limit: int = 10, near_m: float = 0.0) -> list[Sighting]:
        x, y = self._xy(lon, lat)
        if near_m <= 0:
            candidates = [*self._cells.get((math.floor(x / self.cell_m), math.floor(y / self.cell_m)), []),
                          *self._wide]
        else:
            # Those that see the point are filed under its cell; those within near_m stand in one of the cells
            # the disc touches (the projection stretches x by at most 1 %).
            reach_x, reach_y = near_m * 1.01 * self._kx / (geo.M_PER_DEG * math.cos(math.radians(lat))), near_m
            found: dict[str, Camera] = {c.code: c for c in self._wide}
            for camera in self._cells.get((math.floor(x / self.cell_m), math.floor(y / self.cell_m)), ()):
                found[camera.code] = camera
            for ix in range(math.floor((x - reach_x) / self.cell_m), math.floor((x + reach_x) / self.cell_m) + 1):
                for iy in range(math.floor((y - reach_y) / self.cell_m), math.floor((y + reach_y) / self.cell_m) + 1):
                    for camera in self._at.get((ix, iy), ()):
                        found[camera.code] = camera
            candidates = list(found.values())
        return best((s for c in candidates if (s := near(c, lon, lat, near_m)) is not None), limit)


def load_cameras(session: Session) -> list[Camera]:
    """Cameras in service with their optics, the purpose's defaults filling what a camera does not state."""
    query = (select(Device.code, Device.name_kk, Device.name_ru, Device.purpose, Device.lon, Device.lat,
                    Device.heading_deg, Device.fov_deg, Device.range_m, Device.name_en, Site.code)
             .outerjoin(Site, Device.site_id == Site.id)
             .where(Device.kind == DeviceKind.CAMERA, Device.lifecycle != Lifecycle.DECOMMISSIONED))
    cameras = []
    for code, name_kk, name_ru, purpose, lon, lat, heading, fov, range_m, name_en, site_code in session.execute(query):
        optics = DEFAULTS.optics_for(purpose)
        cameras.append(Camera(code, name_kk, name_ru, purpose or "public_space", lon, lat, heading,
                              fov or optics.fov_deg, range_m or optics.range_m, name_en, site_code))
    return cameras


def _index(session: Session) -> CameraIndex:
    return CameraIndex(load_cameras(session))


# Rebuilt when the registry (not health) changes: health is read fresh for the few cameras a query returns.
for_database: PerDatabase[CameraIndex] = PerDatabase(lambda: Cached(lambda s: revision.current(s)[0], _index))


def index_of(db: Database, session: Session) -> CameraIndex:
    """This process's index of ``db``'s cameras, rebuilt when the registry has changed."""
    return for_database(db).get(session)[0]


def query_in(session: Session, lon: float, lat: float, limit: int = 10, near_m: float = 0.0) -> list[Sighting]:
    """As ``query``, from an index kept per engine, for code that has a session but not its Database."""
    index, _ = for_database(session.get_bind().engine).get(session)
    return index.query(lon, lat, limit, near_m)


def query(db: Database, session: Session, lon: float, lat: float, limit: int = 10, near_m: float = 0.0
          ) -> list[Sighting]:
    """The cameras that see (lon, lat), best first, then those within ``near_m`` that do not, from this
    process's index of ``db``."""
    index, _ = for_database(db).get(session)
    return index.query(lon, lat, limit, near_m)
