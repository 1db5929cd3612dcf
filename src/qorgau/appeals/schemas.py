"""Request and response shapes of residents' appeals (prefixed `Appeal…` to keep the web types unambiguous)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from qorgau.appeals.enums import AppealChannel, AppealState


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AppealCreate(Strict):
    """A new appeal. Outside every district it is refused unless ``district_id`` routes it explicitly."""

    channel: AppealChannel
    applicant_name: str = Field(min_length=1, max_length=200, description="Personal data: stored encrypted.")
    applicant_contact: str | None = Field(default=None, max_length=200, description="Phone or e-mail (encrypted).")
    address: str = Field(min_length=1, max_length=300)
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    subject: str = Field(min_length=1, max_length=32, description="A code from /api/appeals/subjects.")
    text: str = Field(min_length=1, max_length=20_000)
    district_id: int | None = Field(default=None, ge=1, description="Route to this district of the set in force "
                                                                    "(only when the point lies outside every one).")
    registered_at: datetime | None = Field(default=None, description="When it was received (aware); now if absent.")
    simulated: bool = Field(default=False, description="Filed by the simulator.")


class AppealUpdate(Strict):
    """One action on an appeal: take up, answer, extend, transfer or reassign."""

    action: str = Field(pattern=r"^(take|answer|extend|transfer|reassign)$")
    answer: str | None = Field(default=None, max_length=20_000, description="For answer: the answer's text.")
    answered_at: datetime | None = Field(default=None, description="For answer: when (aware); now if absent.")
    reason: str | None = Field(default=None, max_length=500, description="For extend: why more time is needed.")
    transferred_to: str | None = Field(default=None, max_length=300, description="For transfer: the body.")
    inspector_id: int | None = Field(default=None, ge=1, description="For reassign: the new inspector.")


class AppealEntryRead(BaseModel):
    at: datetime
    kind: str
    from_state: str | None
    to_state: str | None
    actor: str
    actor_name: str | None = Field(description="The person behind a user:N actor; null for the system.")
    note: str | None


class AppealAttachmentRead(BaseModel):
    id: int
    filename: str
    media_type: str
    size: int
    uploaded_at: datetime


class AppealRead(BaseModel):
    """An appeal; the applicant's name and contact are null unless asked for with appeals:personal."""

    id: int
    number: str
    channel: AppealChannel
    state: AppealState
    subject: str
    address: str
    lon: float
    lat: float
    district_id: int | None
    district_number: int | None
    routed_manually: bool
    inspector_id: int | None
    inspector_name: str | None
    text: str
    registered_at: datetime
    deadline: date
    working_days_left: int = Field(description="Working days from today to the deadline; negative when overdue.")
    overdue: bool = Field(description="Open past its deadline, or answered after it.")
    extended: bool
    extension_reason: str | None
    answer: str | None
    answered_at: datetime | None
    transferred_to: str | None
    simulated: bool
    personal_shown: bool = Field(description="Whether the applicant's fields below are filled in.")
    applicant_name: str | None
    applicant_contact: str | None


class AppealDetail(AppealRead):
    timeline: list[AppealEntryRead]
    attachments: list[AppealAttachmentRead]


class AppealPage(BaseModel):
    items: list[AppealRead]
    next_cursor: str | None


class AppealSubjectRead(BaseModel):
    code: str
    name_kk: str
    name_ru: str
    name_en: str


class AppealCalendarDay(Strict):
    day: date
    working: bool = Field(description="True: a decreed working day (e.g. a Saturday); false: a decreed day off.")
    reason: str = Field(min_length=1, max_length=300, description="The decree or cause.")


class AppealFiguresRead(BaseModel):
    district_id: int | None
    inspector_id: int | None
    received: int
    answered: int
    answered_on_time: int
    overdue: int
    open: int
