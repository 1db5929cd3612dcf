"""Request and response shapes of shift handovers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from qorgau.shifts.enums import HandoverState

Notes = Annotated[str, StringConstraints(strip_whitespace=True, max_length=8000)]


class IncidentBrief(BaseModel):
    id: int
    number: str
    category: str
    priority: int
    state: str
    address: str | None
    received_at: datetime
    state_changed_at: datetime


class AlarmBrief(BaseModel):
    id: int
    kind: str
    priority: int
    state: str
    site_code: str | None
    device_code: str | None
    first_at: datetime
    resolved_at: datetime | None


class ShiftSummary(BaseModel):
    """What is open now and what happened between the shift's start and end."""

    shift_start: datetime
    shift_end: datetime
    open_incidents: list[IncidentBrief]
    open_alarms: list[AlarmBrief]
    changed_incidents: list[IncidentBrief] = Field(description="Received or changed during the shift.")
    changed_alarms: list[AlarmBrief] = Field(description="Raised or closed during the shift.")
    incidents_opened: int
    incidents_closed: int
    alarms_raised: int
    alarms_resolved: int


class HandoverCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    notes: Notes = Field(default="", description="For the next shift: what to watch, what was promised.")


class HandoverSign(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Notes | None = Field(default=None, description="The incoming supervisor's remark, if any.")


class HandoverRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    state: HandoverState
    shift_start: datetime
    shift_end: datetime
    notes: str
    outgoing_user_id: int
    outgoing_name: str
    outgoing_signed_at: datetime
    incoming_user_id: int | None
    incoming_name: str | None
    incoming_signed_at: datetime | None
    incoming_note: str | None
    summary: ShiftSummary
