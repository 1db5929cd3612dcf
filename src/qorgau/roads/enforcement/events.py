"""Events of speed and red-light enforcement: a violation was opened for review, an officer decided one."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from qorgau.core.bus import EventPayload, event_type


class ViolationOpened(EventPayload):
    violation_id: int = Field(description="The violation's id (its evidence: /api/violations/{id}).")
    kind: str = Field(description="speed, section_speed or red_light.")
    code: str = Field(description="The camera's registry code (the exit camera of a section).")
    occurred_at: datetime = Field(description="When it happened (UTC): mid-track, stop-line crossing or exit.")
    measured_kmh: float | None = Field(default=None, description="Measured speed (speed and section).")
    limit_kmh: float | None = Field(default=None, description="The limit it was compared with.")
    phase: str | None = Field(default=None, description="The signal phase at the crossing (red light).")
    has_plate: bool = Field(description="Whether a plate was read (the plate itself is not in the event).")
    lon: float = Field(description="The camera's longitude.")
    lat: float = Field(description="The camera's latitude.")


class ViolationDecided(EventPayload):
    violation_id: int = Field(description="The violation's id.")
    kind: str = Field(description="speed, section_speed or red_light.")
    code: str = Field(description="The camera's registry code.")
    status: str = Field(description="confirmed or rejected.")
    reason: str | None = Field(default=None, description="Why it was rejected (a fixed list).")


VIOLATION_OPENED = event_type(
    "roads.violation_opened", ViolationOpened, subject_type="violation",
    description="A speed, section-speed or red-light violation was opened with its signed evidence and waits for "
                "an officer's review (nothing is issued automatically).",
)
VIOLATION_DECIDED = event_type(
    "roads.violation_decided", ViolationDecided, subject_type="violation",
    description="An officer confirmed or rejected a violation (with the reason of a rejection).",
)
