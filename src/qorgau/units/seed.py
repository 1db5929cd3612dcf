"""Aksai's units for demos and tests (idempotent): 8 patrol cars, 6 foot patrols, 10 district inspectors at the
centre, and a post at each МОП of the device registry (MOP-1 … MOP-5) when it is seeded; `--simulated` hands
them all to the simulator."""

from __future__ import annotations

import math

from sqlalchemy import select
from sqlalchemy.orm import Session

from qorgau.city.aksai.facts import AKSAI_CENTRE
from qorgau.core.bus import Context
from qorgau.core.time import utcnow
from qorgau.devices import geo
from qorgau.devices import queries as device_queries
from qorgau.devices.enums import SiteKind
from qorgau.units import service
from qorgau.units.enums import UnitKind
from qorgau.units.models import Unit
from qorgau.units.schemas import UnitCreate

PATROL_CARS, FOOT_PATROLS, INSPECTORS = 8, 6, 10


def _ring(n: int, radius_m: float) -> list[tuple[float, float]]:
    """n points evenly around Aksai's centre: starting positions that cover the town."""
    angles = [2 * math.pi * k / n for k in range(n)]
    return [geo.offset(*AKSAI_CENTRE, radius_m * math.sin(a), radius_m * math.cos(a)) for a in angles]


def plan(session: Session) -> list[UnitCreate]:
    units = [UnitCreate(code=f"PC-{k:02d}", kind=UnitKind.PATROL_CAR, name=f"Патруль {k}", lon=lon, lat=lat,
                        trackers=[f"aksai-gps-{k:02d}"]) for k, (lon, lat) in enumerate(_ring(PATROL_CARS, 1500), 1)]
    units += [UnitCreate(code=f"FP-{k:02d}", kind=UnitKind.FOOT_PATROL, name=f"Пеший патруль {k}", lon=lon, lat=lat)
              for k, (lon, lat) in enumerate(_ring(FOOT_PATROLS, 500), 1)]
    units += [UnitCreate(code=f"UIP-{k:02d}", kind=UnitKind.DISTRICT_INSPECTOR, name=f"УИП {k}", lon=lon, lat=lat)
              for k, (lon, lat) in enumerate(_ring(INSPECTORS, 60), 1)]
    posts = device_queries.sites_of_kind(session, SiteKind.POLICE_POST)
    units += [UnitCreate(code=f"POST-{site.code}", kind=UnitKind.POST, name=site.name_ru, site_code=site.code,
                         lon=site.lon, lat=site.lat) for site in posts]
    return units


def seed_aksai(session: Session, *, simulated: bool = False) -> int:
    """Create the units that are missing; returns how many were created (0 on a second run).

    ``simulated`` marks every unit of the plan as driven by the simulator, those created earlier too; without
    it existing units are left as they are.
    """
    have = {unit.code: unit for unit in session.scalars(select(Unit))}
    created = 0
    now = utcnow()
    for unit_in in plan(session):
        unit = have.get(unit_in.code)
        if unit is None:
            service.create(session, unit_in=unit_in.model_copy(update={"simulated": simulated}),
                           ctx=Context.system("seed"))
            created += 1
        elif simulated and not unit.simulated:
            unit.simulated, unit.updated_at = True, now
    return created
