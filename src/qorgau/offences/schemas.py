"""Request and response shapes of the registry of offences (no personal data: none is stored)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from qorgau.offences.enums import Kind, OffenceClass, PlaceType, RecordSource, Severity, Status


class OffenceArticleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str = Field(description='"UK-188-1" (Criminal Code art. 188 part 1) or "KoAP-434".')
    code_kind: str = Field(description="uk or koap.")
    article: int
    part: int | None
    title_ru: str
    title_kk: str
    title_en: str
    offence_class: OffenceClass
    severity: Severity | None
    article_group: str = Field(description="Group aligned with the rows of form СНГ-1 (theft, fraud...).")
    editable: bool


class OffenceArticleUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title_ru: str | None = Field(default=None, min_length=1, max_length=300)
    title_kk: str | None = Field(default=None, min_length=1, max_length=300)
    title_en: str | None = Field(default=None, min_length=1, max_length=300)
    offence_class: OffenceClass | None = None
    severity: Severity | None = None
    article_group: str | None = Field(default=None, min_length=1, max_length=32, pattern=r"^[a-z_]+$")


class OffenceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    reg_number: str | None = Field(description="ЕРДР or protocol number; null for a draft.")
    kind: Kind
    registered_on: date
    committed_at: datetime | None
    article_code: str
    offence_class: OffenceClass
    severity: Severity | None
    article_group: str
    status: Status
    termination_ground: str | None
    status_on: date | None
    persons_identified: int
    lon: float | None
    lat: float | None
    settlement: str | None
    district_id: int | None
    place_type: PlaceType
    incident_id: int | None
    call_ref: str | None
    source: RecordSource
    draft: bool
    created_at: datetime
    updated_at: datetime


class OffencePage(BaseModel):
    items: list[OffenceRead]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null at the end.")


class OffenceWrite(BaseModel):
    """A record entered or edited by hand; the same checks as an imported line."""

    model_config = ConfigDict(extra="forbid")

    reg_number: str | None = Field(default=None, min_length=1, max_length=40)
    registered_on: date
    committed_at: datetime | None = None
    article_code: str = Field(min_length=1, max_length=32)
    status: Status = Status.INVESTIGATING
    termination_ground: str | None = Field(default=None, max_length=64)
    status_on: date | None = None
    persons_identified: int = Field(default=0, ge=0, le=1000)
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    place_type: PlaceType = PlaceType.OTHER
    incident_id: int | None = Field(default=None, ge=1)
    call_ref: str | None = Field(default=None, max_length=40)


class OffenceReconcile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reg_number: str = Field(min_length=1, max_length=40, description="The ЕРДР number the draft now carries.")


class OffenceImportReport(BaseModel):
    created: int = Field(description="New records.")
    updated: int = Field(description="Records found by registration number and updated.")
    reconciled: int = Field(description="Drafts from incidents that became the imported record.")
    lines: int = Field(description="Data lines read.")
