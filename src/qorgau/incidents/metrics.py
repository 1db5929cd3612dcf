"""Response metrics: received → acknowledged → dispatched → on scene → closed, P50/P90 against targets.

Each stage is measured from `received_at` (for an alarm's incident, when the alarm's first signal arrived).
Acknowledgement is counted for alarm incidents only: a call's incident is acknowledged by being taken. The
on-scene target is the town's inside Aksai and the district's elsewhere, per incident.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from qorgau.incidents.enums import Source
from qorgau.incidents.models import Incident
from qorgau.incidents.places import TOWN_AREA
from qorgau.incidents.schemas import ResponseGroup, ResponseMetrics, StageFigures


@dataclass(frozen=True)
class Targets:
    ack_s: int
    on_scene_town_s: int
    on_scene_district_s: int

    def on_scene_for(self, area: str | None) -> int:
        return self.on_scene_town_s if area == TOWN_AREA else self.on_scene_district_s


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0–100) by linear interpolation between closest ranks; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _seconds(incident: Incident, column: str) -> float | None:
    moment: datetime | None = getattr(incident, column)
    return None if moment is None else (moment - incident.received_at).total_seconds()


def _stage(rows: Sequence[Incident], column: str, target: Callable[[Incident], int | None],
           shown_target: int | None) -> StageFigures:
    pairs = [(s, target(i)) for i in rows if (s := _seconds(i, column)) is not None]
    values = [s for s, _ in pairs]
    judged = [(s, t) for s, t in pairs if t is not None]
    within = sum(1 for s, t in judged if s <= t) / len(judged) if judged else None
    p50, p90 = percentile(values, 50), percentile(values, 90)
    return StageFigures(count=len(values), p50_s=None if p50 is None else round(p50, 1),
                        p90_s=None if p90 is None else round(p90, 1), target_s=shown_target,
                        within_target=None if within is None else round(within, 4))


def group(key: str, rows: Sequence[Incident], targets: Targets, area: str | None = None) -> ResponseGroup:
    on_scene_shown = targets.on_scene_for(area) if area is not None else None
    alarm_rows = [i for i in rows if i.source == Source.ALARM]
    return ResponseGroup(
        key=key, incidents=len(rows),
        acknowledged=_stage(alarm_rows, "acknowledged_at", lambda _: targets.ack_s, targets.ack_s),
        dispatched=_stage(rows, "dispatched_at", lambda _: None, None),
        on_scene=_stage(rows, "on_scene_at", lambda i: targets.on_scene_for(i.area), on_scene_shown),
        closed=_stage(rows, "closed_at", lambda _: None, None),
    )


def response(session: Session, *, start: datetime, end: datetime, targets: Targets, category: str | None = None,
             area: str | None = None, include_simulated: bool = False) -> ResponseMetrics:
    """Metrics of the incidents received in [start, end), overall, by category and by area."""
    query = select(Incident).where(Incident.received_at >= start, Incident.received_at < end)
    if category:
        query = query.where(Incident.category == category)
    if area:
        query = query.where(Incident.area == area)
    if not include_simulated:
        query = query.where(Incident.simulated.is_(False))
    rows = list(session.scalars(query.order_by(Incident.id)))
    by_category: dict[str, list[Incident]] = {}
    by_area: dict[str, list[Incident]] = {}
    for incident in rows:
        by_category.setdefault(incident.category, []).append(incident)
        by_area.setdefault(incident.area or "-", []).append(incident)
    return ResponseMetrics(
        start=start, end=end, include_simulated=include_simulated, overall=group("all", rows, targets),
        by_category=[group(k, v, targets) for k, v in sorted(by_category.items())],
        by_area=[group(k, v, targets, area=None if k == "-" else k) for k, v in sorted(by_area.items())],
    )
