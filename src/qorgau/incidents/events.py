"""Events of incidents; they carry no personal data (the caller's name and phone stay in the table)."""

from __future__ import annotations

from pydantic import Field

from qorgau.core.bus import EventPayload, event_type
from qorgau.incidents.enums import IncidentState, Source


class IncidentChanged(EventPayload):
    incident_id: int = Field(description="The incident's id.")
    number: str = Field(description="Human number, e.g. 2026-000123.")
    category: str = Field(description="Category code, e.g. theft, domestic_conflict.")
    priority: int = Field(ge=1, le=255, description="1 is the highest, 255 the lowest.")
    state: IncidentState = Field(description="State after the change.")
    previous: IncidentState | None = Field(default=None, description="State before; null when opened.")
    source: Source = Field(description="alarm, call or manual.")
    area: str | None = Field(default=None, description="Settlement the incident lies in.")
    lon: float | None = Field(default=None, description="WGS 84 longitude.")
    lat: float | None = Field(default=None, description="WGS 84 latitude.")
    simulated: bool = Field(default=False, description="Opened from a simulated alarm or by the simulator.")


class IncidentNoted(EventPayload):
    incident_id: int = Field(description="The incident's id.")
    number: str = Field(description="Human number.")
    note_id: int = Field(description="The note's id (its text is read from the API).")


class IncidentMerged(EventPayload):
    incident_id: int = Field(description="The incident kept.")
    number: str = Field(description="Its number.")
    duplicate_id: int = Field(description="The duplicate, now closed as merged into it.")
    duplicate_number: str = Field(description="The duplicate's number.")


OPENED = event_type("incidents.opened", IncidentChanged, subject_type="incident",
                    description="An incident was opened (from an alarm, a 102 call, or by hand).")
STATE_CHANGED = event_type("incidents.state_changed", IncidentChanged, subject_type="incident",
                           description="An incident moved to another state (by a person, a unit or the system).")
UNITS_CHANGED = event_type("incidents.units_changed", IncidentChanged, subject_type="incident",
                            description="The units on an incident changed: how many are sent, en route, on scene or "
                                        "stalled, or it was left uncovered (its last unit declined or was released).")
NOTED = event_type("incidents.noted", IncidentNoted, subject_type="incident",
                   description="A note was added to an incident's timeline.")
MERGED = event_type("incidents.merged", IncidentMerged, subject_type="incident",
                    description="A duplicate incident was closed as merged into this one (notes, links moved).")
