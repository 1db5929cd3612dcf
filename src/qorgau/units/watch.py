"""The dispatch watch: open assignments that stall are flagged, so that no dispatch stalls unseen.

A pass reads the open assignments (the `active` index: a few dozen rows in a town), their units' positions and
their incidents' priority and place, and flags an assignment whose unit stands at the scene without reporting it,
has not reported en route in time, or is past its ETA by a margin; limits per priority (`UnitsSettings`). Only a
change of flag is written and announced (`units.dispatch_flagged`), so a quiet pass writes nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from qorgau.core.bus import Context, publish
from qorgau.incidents import coverage
from qorgau.units.config import UnitsSettings
from qorgau.units.enums import Stage, StallFlag
from qorgau.units.events import DISPATCH_FLAGGED, DispatchFlagged
from qorgau.units.models import Assignment, Unit

EARTH_M = 6_371_000.0
NOT_YET_EN_ROUTE = (Stage.DISPATCHED, Stage.ACCEPTED)
CTX = Context.system("units.watch")


@dataclass(frozen=True)
class Limits:
    """The limits of one priority band, in seconds."""

    en_route_within_s: float
    on_scene_report_within_s: float
    eta_margin_s: float


@dataclass(frozen=True)
class Rules:
    high_priority_max: int
    high: Limits
    normal: Limits
    at_scene_radius_m: float

    @classmethod
    def of(cls, s: UnitsSettings) -> Rules:
        return cls(s.dispatch_high_priority_max,
                   Limits(s.dispatch_en_route_within_high_s, s.dispatch_on_scene_report_within_high_s,
                          s.dispatch_eta_margin_high_s),
                   Limits(s.dispatch_en_route_within_s, s.dispatch_on_scene_report_within_s, s.dispatch_eta_margin_s),
                   s.dispatch_at_scene_radius_m)

    def urgent(self, priority: int) -> bool:
        return priority <= self.high_priority_max


def metres(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Distance on the sphere; within a town the error is far below a GPS fix's."""
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    return EARTH_M * math.hypot(x, math.radians(lat2 - lat1))


def _flag(row: Assignment, unit: Unit, place: coverage.Urgency | None, limits: Limits, radius_m: float,
          now: datetime) -> StallFlag | None:
    """The assignment's flag now; keeps `near_scene_since` (when the unit was first seen at the scene)."""
    stage = Stage(row.stage)
    near = (place is not None and place.lon is not None and place.lat is not None and unit.lon is not None
            and unit.lat is not None and metres(unit.lon, unit.lat, place.lon, place.lat) <= radius_m)
    if not near or stage == Stage.ON_SCENE:
        row.near_scene_since = None
    elif row.near_scene_since is None:
        row.near_scene_since = now
    if stage == Stage.ON_SCENE:
        return None
    if row.near_scene_since is not None and (now - row.near_scene_since).total_seconds() >= \
            limits.on_scene_report_within_s:
        return StallFlag.AT_SCENE_UNREPORTED
    waited = (now - row.dispatched_at).total_seconds()
    if stage in NOT_YET_EN_ROUTE and waited > limits.en_route_within_s:
        return StallFlag.NOT_EN_ROUTE
    if row.eta_s is not None and waited > row.eta_s + limits.eta_margin_s:
        return StallFlag.ETA_PASSED
    return None


def watch(session: Session, *, now: datetime, rules: Rules) -> list[DispatchFlagged]:
    """One pass over the open assignments; returns the flags raised or cleared (each also published)."""
    rows = session.execute(select(Assignment, Unit).join(Unit, Unit.id == Assignment.unit_id)
                           .where(Assignment.active.is_(True))).all()
    places = coverage.urgency(session, {row.incident_id for row, _ in rows})
    changes = []
    for row, unit in rows:
        place = places.get(row.incident_id)
        priority = place.priority if place is not None else 255
        limits = rules.high if rules.urgent(priority) else rules.normal
        flag = _flag(row, unit, place, limits, rules.at_scene_radius_m, now)
        if flag == row.flag:
            continue
        change = DispatchFlagged(assignment_id=row.id, unit_code=unit.code, incident_id=row.incident_id, flag=flag,
                                 previous=StallFlag(row.flag) if row.flag else None, priority=priority,
                                 urgent=rules.urgent(priority), at=now)
        row.flag, row.flagged_at = (str(flag) if flag else None), (now if flag else None)
        ctx = CTX.model_copy(update={"simulated": True}) if unit.simulated else CTX
        publish(session, DISPATCH_FLAGGED, subject_id=str(row.id), ctx=ctx, payload=change)
        changes.append(change)
    return changes
