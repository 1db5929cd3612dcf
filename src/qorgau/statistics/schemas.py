"""API shapes of the offence statistics (prefixed Stats so they never clash with another domain's)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, Field


class StatsPopulationSource(StrEnum):
    MODEL = "model"  # the city model's residents (its police districts' sum)
    OFFICIAL = "official"  # the official figure from the settings


class StatsChange(BaseModel):
    current: int
    previous: int = Field(description="The same period of last year (АППГ).")
    delta: int
    percent: float | None = Field(description="Change in % of last year's figure; null when last year had none.")


class StatsPart(StatsChange):
    label: str | None = Field(description="The value of the dimension (a code; a district's id; an hour 0-23).")
    name: str | None = Field(default=None, description="A readable name where the label is an id (district; ru).")
    name_kk: str | None = None
    name_en: str | None = None
    share: float | None = Field(description="Share 0..1 of the period's total.")
    rate: float | None = Field(default=None, description="Per 10,000 residents of that unit, where known.")


class StatsClearanceInputs(BaseModel):
    registered: int
    sent_to_court: int
    terminated_non_rehabilitating: int
    terminated_rehabilitating: int
    interrupted: int
    interrupted_unidentified: int | None
    carried_over: int
    completed: int


class StatsClearance(BaseModel):
    reading: str
    default: bool
    current: float | None = Field(description="Share 0..1; null with nothing to divide.")
    previous: float | None
    formula: dict[str, str] = Field(description="The formula in words, per language (kk, ru, en).")
    inputs: StatsClearanceInputs
    previous_inputs: StatsClearanceInputs


class StatsPeriod(BaseModel):
    first: date
    last: date
    previous_first: date
    previous_last: date


class StatsHeadline(StatsPeriod):
    include_generated: bool
    total: StatsChange
    rate: float | None = Field(description="Offences per 10,000 residents in the period.")
    previous_rate: float | None
    population: float | None
    population_source: StatsPopulationSource
    by_class: list[StatsPart]
    by_severity: list[StatsPart]
    by_group: list[StatsPart]
    clearance: list[StatsClearance]


class StatsSlices(StatsPeriod):
    dimension: str
    parts: list[StatsPart]


class StatsHeatmap(StatsPeriod):
    cells: list[list[int]] = Field(description="Rows: weekday Monday..Sunday; columns: local hour 0..23.")
    total: int


class StatsMonth(StatsChange):
    year: int
    month: int


class StatsTrend(BaseModel):
    months: list[StatsMonth]


class StatsHotCell(BaseModel):
    lon: float
    lat: float
    count: int
    value: float = Field(description="Gi* z-score (method gi) or density per km² (method kde).")
    p: float | None = Field(description="One-sided p-value of the z-score (method gi).")
    level: str | None = Field(description="safe | unsafe_at_hours | unsafe (method gi).")
    bands: list[int] = Field(description="Indexes of the hour bands in which the cell is hot (method gi).")


class StatsHotspots(StatsPeriod):
    grid: str
    method: str
    cell_m: float
    bands: list[list[int]] = Field(description="The hour bands [from, to) of the classification.")
    cells: list[StatsHotCell] = Field(description="Cells of the study area (those with any offence on record).")
    seconds: float


class StatsMoran(StatsPeriod):
    grid: str
    cells: int
    i: float
    expected: float
    z_norm: float
    p_norm: float
    z_rand: float
    p_rand: float


class StatsCameraRow(BaseModel):
    code: str
    installed_on: date
    treated_before: int
    treated_after: int
    control_before: int
    control_after: int


class StatsCamerasEffect(BaseModel):
    radius_m: float
    control_inner_m: float
    control_outer_m: float
    window_days: int
    install_date_source: str = Field(description="'registry' (the camera's registration date) or 'given'.")
    treated_before: int
    treated_after: int
    control_before: int
    control_after: int
    did: int = Field(description="(in view after − before) − (comparison after − before).")
    did_se: float
    ratio: float | None = Field(description="Ratio of ratios; below 1 means fewer offences in view.")
    ratio_low: float | None
    ratio_high: float | None
    cameras: list[StatsCameraRow]


class StatsReading(BaseModel):
    code: str
    default: bool
    names: dict[str, str]
    formula: dict[str, str]
    needs: list[str]
