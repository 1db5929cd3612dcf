"""Shapes of the district report in the API."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class DistrictReportFigures(BaseModel):
    """Appeals and residents' feedback of a district, an inspector or the whole town over the period."""

    incidents: int | None = Field(description="Incidents received in the period inside the district (None for an "
                                              "inspector: incidents count by place).")
    appeals_received: int
    appeals_answered: int
    appeals_on_time: int = Field(description="Answered in the period on or before the deadline.")
    appeals_overdue: int = Field(description="Answered late in the period, or open past the deadline at its end.")
    appeals_open: int = Field(description="Open at the period's end.")
    on_time_share: float | None = Field(description="appeals_on_time / appeals_answered.")
    feedback_requests: int
    feedback_answers: int
    mean_score: float | None
    satisfied_share: float | None = Field(description="Share of answers scoring 4 or 5.")
    response_rate: float | None = Field(description="feedback_answers / feedback_requests.")


class DistrictReportRow(DistrictReportFigures):
    """One police district (of the set in force at the period's end)."""

    district_id: int
    number: int
    name_kk: str
    name_ru: str
    name_en: str
    inspectors: list[str] = Field(description="Inspectors' short names.")
    residents: float
    residents_per_inspector: float | None
    walk_shares: list[float | None] = Field(description="Share of residents within each walking threshold "
                                                        "(walk_minutes), today's police points.")
    flags: list[str] = Field(description="over_norm, low_coverage, overdue_appeals, low_satisfaction.")


class InspectorReportRow(DistrictReportFigures):
    """One inspector: appeals routed to them and feedback on their work."""

    user_id: int | None = Field(description="None: appeals and feedback with no inspector assigned.")
    name: str
    district_numbers: list[int]
    residents: float = Field(description="Residents of their districts, shared among each district's inspectors.")
    flags: list[str]


class ReportThresholds(BaseModel):
    """What raises each flag."""

    residents_norm: int = Field(description="Residents per inspector (districts' setting).")
    low_coverage_share: float = Field(description="Below this share within the middle walking threshold.")
    low_coverage_minutes: int
    low_satisfaction_share: float = Field(description="Satisfied share below this, with enough answers.")
    low_satisfaction_min_answers: int


class DistrictReportRead(BaseModel):
    """The service model's figures per district and inspector for a period of local days."""

    start: date
    end: date = Field(description="The last day of the period (included).")
    set_version: int | None = Field(description="The districts' version in force at the period's end.")
    include_simulated: bool
    walk_minutes: list[int]
    thresholds: ReportThresholds
    districts: list[DistrictReportRow]
    inspectors: list[InspectorReportRow]
    total: DistrictReportFigures
    total_residents: float
    total_walk_shares: list[float | None]
