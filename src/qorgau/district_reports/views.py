"""HTTP routes of the district report: JSON figures, or the same as an XLSX or PDF document."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from qorgau.auth.deps import Require
from qorgau.auth.enums import Permission
from qorgau.auth.service import Principal
from qorgau.core.web import AppRuntime, ReadSession
from qorgau.coverage.config import CoverageSettings
from qorgau.district_reports import export, service
from qorgau.district_reports.schemas import DistrictReportRead
from qorgau.districts.config import DistrictsSettings

router = APIRouter(prefix="/api/district-reports", tags=["district_reports"])
# Everyone who may open the Service-model desk (analysts, supervisors, inspectors) reads appeals.
Reader = Annotated[Principal, Require(Permission.APPEALS_READ)]
FILES: dict[int | str, dict[str, Any]] = {
    200: {"description": "JSON by default; with format=xlsx or pdf, the document",
          "content": {export.MEDIA_TYPES["xlsx"]: {}, export.MEDIA_TYPES["pdf"]: {}}},
    422: {"description": "The period is reversed or longer than a year (`district_reports.bad_period`)"},
}


@router.get("", response_model=DistrictReportRead, responses=FILES)
def district_report(
    _: Reader, db: ReadSession, runtime: AppRuntime,
    start: Annotated[date, Query(description="First local day of the period.")],
    end: Annotated[date, Query(description="Last local day of the period (included).")],
    include_simulated: Annotated[bool, Query(description="Count the simulator's incidents, appeals, feedback.")]
    = False,
    format: Annotated[Literal["json", "xlsx", "pdf"], Query(description="json, or a document.")] = "json",
    lang: Annotated[Literal["kk", "ru", "en"], Query(description="The document's language.")] = "ru",
) -> Any:
    """Residents, walking coverage, incidents, appeals and satisfaction per district and inspector for a period;
    the same period over the same data gives the same figures and the same file, byte for byte."""
    settings = runtime.settings
    coverage = settings.part(CoverageSettings)
    data = service.build(db, service.period(start, end, settings.zone), coverage=coverage,
                         norm=settings.part(DistrictsSettings).district_residents_norm,
                         include_simulated=include_simulated)
    if format == "json":
        return data
    body = export.render(data, fmt=format, language=lang, walk_speed_kmh=coverage.coverage_walk_speed_kmh)
    return Response(body, media_type=export.MEDIA_TYPES[format], headers={
        "Content-Disposition": f'attachment; filename="{export.filename(data, format, lang)}"'})
