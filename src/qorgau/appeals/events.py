"""Events of residents' appeals: registered, answered, deadline near, overdue (escalated to the supervisor)."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from qorgau.core.bus import EventPayload, event_type


class AppealChanged(EventPayload):
    appeal_id: int = Field(description="The appeal's id.")
    number: str = Field(description="Its number, e.g. 2026-000123.")
    state: str = Field(description="Its state after the change.")
    district_id: int | None = Field(description="The district it is routed to.")
    inspector_id: int | None = Field(description="The inspector (user id) it is assigned to.")
    deadline: date = Field(description="The last working day on which an answer is on time.")
    simulated: bool = Field(description="Filed by the simulator.")


REGISTERED = event_type("appeals.registered", AppealChanged, subject_type="appeal",
                        description="A resident's appeal was registered and routed to a district's inspector.")
ANSWERED = event_type("appeals.answered", AppealChanged, subject_type="appeal",
                      description="An appeal was answered (on time or late).")
CHANGED = event_type("appeals.changed", AppealChanged, subject_type="appeal",
                     description="An appeal was taken up, extended, transferred or reassigned.")
DUE_SOON = event_type("appeals.due_soon", AppealChanged, subject_type="appeal",
                      description="An open appeal's deadline is a few working days away: a reminder to its "
                                  "inspector (sent once).")
OVERDUE = event_type("appeals.overdue", AppealChanged, subject_type="appeal",
                     description="An open appeal passed its deadline: escalated to the supervisors (sent once).")
