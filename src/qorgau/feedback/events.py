"""Events of residents' feedback."""

from __future__ import annotations

from pydantic import Field

from qorgau.core.bus import EventPayload, event_type
from qorgau.feedback.enums import FeedbackChannel, SubjectKind


class FeedbackReceived(EventPayload):
    feedback_id: int = Field(description="The feedback row's id.")
    subject_kind: SubjectKind = Field(description="appeal or incident.")
    subject_id: int = Field(description="The appeal's or incident's id.")
    district_id: int | None = Field(description="The district it counts for.")
    inspector_id: int | None = Field(description="The inspector (user id) it counts for.")
    score: int = Field(description="Satisfaction, 1 (very poor) to 5 (very good).")
    channel: FeedbackChannel = Field(description="link (the resident) or officer (entered for them).")
    simulated: bool = Field(description="About a simulated appeal or incident.")


RECEIVED = event_type("feedback.received", FeedbackReceived, subject_type="feedback",
                      description="A resident's satisfaction score arrived (through the one-time link or entered "
                                  "by an officer); the service-model figures count it.")
