"""Cross-domain steps of units: GPS fixes from the ingest move the unit their tracker is bound to."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from qorgau.core.bus import Event
from qorgau.core.bus.dispatch import Subscriber
from qorgau.ingest.events import GPS_FIX, GpsFix
from qorgau.units import service


def follow_tracker(session: Session, event: Event[Any]) -> None:
    """Move the tracker's unit; a fix from a tracker bound to no unit is ignored (it is in the event log)."""
    fix: GpsFix = event.payload
    unit = service.unit_of_tracker(session, fix.tracker_id)
    if unit is None:
        return
    ctx = event.context.model_copy(update={"actor": f"tracker:{fix.tracker_id}", "parent_id": event.id})
    service.move(session, unit, lon=fix.position.lon, lat=fix.position.lat, at=fix.fix_time, source=fix.source,
                 ctx=ctx, speed_kmh=fix.speed_kmh, heading_deg=fix.heading_deg)


def subscribers() -> list[Subscriber]:
    return [Subscriber("units.gps", follow_tracker, frozenset({GPS_FIX.name}))]
