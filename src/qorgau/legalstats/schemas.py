"""Response shapes of the official forms (prefixed Legal… so they never clash with other domains' names)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class LegalRegion(BaseModel):
    """A region or city of the forms, or the national total (code "kz")."""

    code: str
    names: dict[str, str] = Field(description="Names by language: kk, ru, en.")
    national: bool = False


class LegalAvailable(BaseModel):
    """A form and period with figures, and the regions that have them."""

    form: str = Field(description="sng1 (СНГ-1), 1m (1-М) or population.")
    period: str = Field(description='"2023" (the year) or "2023-06" (January to June), as given at import.')
    regions: list[str]
    national_total: bool = Field(description="Whether all 20 regions are there, so the national total is given.")


class LegalRegionFigures(BaseModel):
    """One region's figures: {subject: {measure: value}} and where each was read ({subject: {measure: "R1!E7"}})."""

    region: str
    values: dict[str, dict[str, int]]
    cells: dict[str, dict[str, str]] = Field(description="The sheet cell of each figure; empty for the national "
                                                         "total, which is the sum of the 20 regions.")
    source_name: str | None


class LegalFigures(BaseModel):
    """A form's figures for a period, region by region, the national total last when all 20 are stored."""

    form: str
    period: str
    regions: list[LegalRegionFigures]


class LegalReading(BaseModel):
    """A reading of clearance with its name and formula per language, shown beside every figure."""

    code: str
    names: dict[str, str]
    formula: dict[str, str]
    default: bool


class LegalClearanceInputs(BaseModel):
    """The counts a region's clearance divides (null where the form does not print them)."""

    registered: int
    completed: int
    sent_to_court: int | None
    terminated_non_rehabilitating: int | None
    terminated_rehabilitating: int | None
    interrupted: int
    interrupted_unidentified: int | None
    carried_over: int | None


class LegalRegionClearance(BaseModel):
    """A region's clearance under every reading (a share 0..1; null where it cannot be computed)."""

    region: str
    inputs: LegalClearanceInputs
    values: dict[str, float | None]


class LegalClearance(BaseModel):
    """Clearance by region for a form, period and subject, with the readings and which one is shown first."""

    form: str
    period: str
    subject: str
    reading: str = Field(description="The configured default reading (QORGAU_STATS_CLEARANCE_READING).")
    readings: list[LegalReading]
    regions: list[LegalRegionClearance]


class LegalImported(BaseModel):
    """One stored (form, region) of an import."""

    form: str
    region: str
    period: str
    figures: int
    replaced: bool = Field(description="Whether an earlier import of the same form, region and period was replaced.")
    source_name: str


class LegalRegionRate(BaseModel):
    """A region's figure per 10,000 residents (the population imported for the same period)."""

    region: str
    value: int
    residents: int
    per_10000: float


class LegalRates(BaseModel):
    """A figure per 10,000 residents by region, the national total last when all 20 are stored."""

    form: str
    period: str
    subject: str
    measure: str
    regions: list[LegalRegionRate]
