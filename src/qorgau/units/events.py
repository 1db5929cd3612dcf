"""Events of units and dispatch; `units.assignment_changed` drives the incidents' stage times."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from qorgau.core.bus import EventPayload, event_type
from qorgau.units.enums import Stage, StallFlag, UnitKind, UnitStatus


class UnitStatusChanged(EventPayload):
    code: str = Field(description="The unit's code, e.g. PC-01.")
    kind: UnitKind = Field(description="patrol_car, foot_patrol, district_inspector or post.")
    previous: UnitStatus = Field(description="Status before.")
    current: UnitStatus = Field(description="Status after.")
    incident_id: int | None = Field(default=None, description="The incident it is assigned to, if any.")


class UnitMoved(EventPayload):
    code: str = Field(description="The unit's code.")
    lon: float = Field(description="WGS 84 longitude.")
    lat: float = Field(description="WGS 84 latitude.")
    at: datetime = Field(description="When the fix was taken (UTC).")


class AssignmentChanged(EventPayload):
    assignment_id: int = Field(description="The assignment's id.")
    unit_code: str = Field(description="The unit's code.")
    unit_kind: UnitKind = Field(description="Its kind.")
    incident_id: int = Field(description="The incident.")
    stage: Stage = Field(description="dispatched, accepted, declined, en_route, on_scene, resolved, cleared, "
                                     "reassigned.")
    at: datetime = Field(description="When the stage was reached (UTC).")
    eta_s: float | None = Field(default=None, description="Travel time estimated at dispatch.")
    reason: str | None = Field(default=None, description="Why it was declined or reassigned.")


class DispatchFlagged(EventPayload):
    assignment_id: int = Field(description="The assignment's id.")
    unit_code: str = Field(description="The unit's code.")
    incident_id: int = Field(description="The incident.")
    flag: StallFlag | None = Field(description="at_scene_unreported, not_en_route or eta_passed; null: cleared.")
    previous: StallFlag | None = Field(default=None, description="The flag before.")
    priority: int = Field(description="The incident's priority (1 highest).")
    urgent: bool = Field(description="A high priority: the desks sound an alert.")
    at: datetime = Field(description="When the watch saw it (UTC).")


STATUS_CHANGED = event_type("units.status_changed", UnitStatusChanged, subject_type="unit",
                            description="A unit's status changed (available, dispatched, en route, on scene, busy, "
                                        "off duty).")
MOVED = event_type("units.moved", UnitMoved, subject_type="unit",
                   description="A unit's position changed (GPS tracker or the unit app).")
ASSIGNMENT_CHANGED = event_type("units.assignment_changed", AssignmentChanged, subject_type="assignment",
                                description="A unit was dispatched, accepted, declined, reported progress, was "
                                            "cleared or reassigned.")
DISPATCH_FLAGGED = event_type("units.dispatch_flagged", DispatchFlagged, subject_type="assignment",
                              description="The dispatch watch flagged an assignment as stalled (not en route in "
                                          "time, at the scene without reporting it, ETA passed) or cleared it.")
