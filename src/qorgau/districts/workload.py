"""Workload of districts: incidents over a period as points in local metres, counted per polygon, and its balance."""

# Workload is the second weight of redistricting beside residents (issue 13): a district of few residents around
# the market or the station may still take most of the calls. Incidents are read through the incidents domain's
# query module and counted where they happened; appeals join when their domain exposes positions.

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy.orm import Session

from qorgau.core.time import utcnow
from qorgau.districts.geometry import Frame
from qorgau.districts.schemas import WorkloadBalance
from qorgau.incidents import queries as incident_queries

WORKLOAD_LIMIT = 50_000  # incidents read for a period (a year of a town's board and more)


@dataclass(frozen=True)
class Points:
    """Incident positions in local metres over a period."""

    x: np.ndarray[Any, np.dtype[np.float64]]
    y: np.ndarray[Any, np.dtype[np.float64]]
    days: int

    def count_in(self, geom: BaseGeometry) -> int:
        """Incidents inside a polygon (a point on a shared edge counts in neither; rare and harmless)."""
        if len(self.x) == 0:
            return 0
        return int(np.count_nonzero(shapely.contains_xy(geom, self.x, self.y)))


def incidents(session: Session, frame: Frame, *, days: int, now: datetime | None = None) -> Points:
    """Positions of the incidents received in the last ``days`` days, memoised for the transaction."""
    since = (now or utcnow()) - timedelta(days=days)
    memo: dict[tuple[int, datetime], Points] = session.info.setdefault("districts.workload", {})
    key = (days, since.replace(second=0, microsecond=0))
    if key not in memo:
        rows = [(i.lon, i.lat) for i in incident_queries.changed_since(session, since, limit=WORKLOAD_LIMIT)
                if i.lon is not None and i.lat is not None and i.received_at >= since]
        lon = np.array([r[0] for r in rows], dtype=float)
        lat = np.array([r[1] for r in rows], dtype=float)
        x, y = frame.proj.to_xy(lon, lat)
        memo[key] = Points(x=np.asarray(x, dtype=float), y=np.asarray(y, dtype=float), days=days)
    return memo[key]


def balance(counts: Sequence[int], *, days: int, share: float) -> WorkloadBalance:
    """Min/max/mean/std of incidents per district over the period, and the weight workload had."""
    arr = np.asarray(counts, dtype=float) if counts else np.zeros(1)
    return WorkloadBalance(incidents=int(arr.sum()), min=int(arr.min()), max=int(arr.max()),
                           mean=round(float(arr.mean()), 1), std=round(float(arr.std()), 1), days=days,
                           share=share)
