"""Shapes of feedback in the API."""

from __future__ import annotations

from datetime import datetime
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from qorgau.core.web import MAX_ROW_ID
from qorgau.feedback.enums import COMMENT_MAX, SCORE_MAX, SCORE_MIN, FeedbackChannel, SubjectKind


class FeedbackSubjectIn(BaseModel):
    """Exactly one of the appeal and the incident."""

    model_config = ConfigDict(extra="forbid")

    appeal_id: int | None = Field(default=None, ge=1, le=MAX_ROW_ID, description="An answered appeal.")
    incident_id: int | None = Field(default=None, ge=1, le=MAX_ROW_ID, description="A closed incident.")

    @model_validator(mode="after")
    def _one_subject(self) -> Self:
        if (self.appeal_id is None) == (self.incident_id is None):
            raise ValueError("exactly one of appeal_id and incident_id")
        return self


class FeedbackAnswerIn(BaseModel):
    """What the resident says: a score and, if they like, a comment."""

    model_config = ConfigDict(extra="forbid")

    score: int = Field(ge=SCORE_MIN, le=SCORE_MAX, description="1 very dissatisfied … 5 very satisfied.")
    comment: str | None = Field(default=None, max_length=COMMENT_MAX, description="Free text, optional.")


class FeedbackEntryIn(FeedbackSubjectIn, FeedbackAnswerIn):
    """An officer enters what a resident said at a reception or on the phone."""


class FeedbackLink(BaseModel):
    """A one-time link: the token is shown once, only its hash is kept."""

    feedback_id: int
    token: str = Field(description="Unguessable; give it to the resident (the page is /feedback/<token>).")
    path: str = Field(description="The public page's path.")
    expires_at: datetime


class FeedbackRead(BaseModel):
    """One feedback row as staff see it (no token)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    subject_kind: SubjectKind
    appeal_id: int | None
    incident_id: int | None
    subject_number: str
    district_id: int | None
    inspector_id: int | None
    requested_at: datetime
    expires_at: datetime | None
    score: int | None
    comment: str | None
    answered_at: datetime | None
    channel: FeedbackChannel | None
    simulated: bool


class FeedbackPublic(BaseModel):
    """What the public page shows before the resident answers: no names, no district, nothing personal."""

    subject_kind: SubjectKind
    subject_number: str
    answered: bool
    expired: bool


class FeedbackFigures(BaseModel):
    """Feedback of one (district, inspector) over a period: requests issued in it and their answers."""

    district_id: int | None
    inspector_id: int | None
    requests: int = Field(description="Links issued and officer entries made in the period.")
    answers: int = Field(description="Of those, answered before the period's end.")
    score_sum: int = Field(description="Sum of the answers' scores (figures of several rows combine exactly).")
    mean_score: float | None = Field(description="Mean score of the answers.")
    satisfied: int = Field(description="Answers scoring 4 or 5.")
    satisfied_share: float | None = Field(description="satisfied / answers.")
    response_rate: float | None = Field(description="answers / requests.")
