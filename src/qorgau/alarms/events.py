"""Events of the alarm desk: what other domains (incidents, statistics, the desks) learn about alarms."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from qorgau.core.bus import EventPayload, event_type


class AlarmState(StrEnum):
    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class Resolution(StrEnum):
    CONFIRMED = "confirmed"
    FALSE = "false"
    TEST = "test"


class AlarmChanged(EventPayload):
    alarm_id: int = Field(description="The alarm's id.")
    state: AlarmState = Field(description="new, acknowledged or resolved, after the change.")
    priority: int = Field(ge=1, le=255, description="1 is the highest, 255 the lowest.")
    escalation_level: int = Field(ge=0, description="0 until the first escalation, then 1, 2, …")
    rule: str = Field(description="Code of the rule that raised it, e.g. school_panic.")
    kind: str = Field(description="What happened, e.g. panic, duress, sos, door_forced, device_offline, tamper.")
    procedure: str | None = Field(default=None, description="Code of the procedure (SOP) to follow.")
    incident_category: str | None = Field(default=None, description="Category of the incident the rule suggests.")
    auto_incident: bool = Field(default=False, description="The rule opens an incident without an operator.")
    device_code: str | None = Field(default=None, description="Device that signalled.")
    site_code: str | None = Field(default=None, description="Site of that device.")
    lon: float | None = Field(default=None, description="Where (WGS 84), from the device or the signal.")
    lat: float | None = Field(default=None, description="Where (WGS 84).")
    count: int = Field(ge=1, description="Signals folded into this alarm (flood control).")
    first_at: datetime = Field(description="When the first signal arrived (received time).")
    last_at: datetime = Field(description="When the latest folded signal arrived.")
    acknowledged_at: datetime | None = Field(default=None, description="When an operator acknowledged it.")
    acknowledged_by: int | None = Field(default=None, description="User id of that operator.")
    resolved_at: datetime | None = Field(default=None, description="When it was resolved.")
    resolution: Resolution | None = Field(default=None, description="confirmed, false or test.")
    simulated: bool = Field(default=False, description="Raised by a simulated signal.")
    escalated_to: str | None = Field(default=None, description="Role the alarm is escalated to (supervisor), "
                                                               "from the first escalation on.")
    restored_at: datetime | None = Field(default=None, description="When the condition ended (device back online, "
                                                                   "panel restore); the alarm stays open.")


RAISED = event_type("alarms.raised", AlarmChanged, subject_type="alarm",
                    description="A rule turned a signal into a new alarm.")
REPEATED = event_type("alarms.repeated", AlarmChanged, subject_type="alarm",
                      description="A repeat of the same device and event folded into an open alarm (count, last).")
ACKNOWLEDGED = event_type("alarms.acknowledged", AlarmChanged, subject_type="alarm",
                          description="An operator acknowledged the alarm.")
ESCALATED = event_type("alarms.escalated", AlarmChanged, subject_type="alarm",
                       description="Not acknowledged in time: raised to the supervisor (level 1, 2, …).")
RESTORED = event_type("alarms.restored", AlarmChanged, subject_type="alarm",
                      description="The condition ended (device back online, panel restore); escalation stops, "
                                  "the alarm stays open for the operator.")
RESOLVED = event_type("alarms.resolved", AlarmChanged, subject_type="alarm",
                      description="Resolved as confirmed, false or test.")
