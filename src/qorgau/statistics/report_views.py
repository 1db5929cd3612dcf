"""HTTP routes of the offence statistics reports: the department's tabular report as XLSX or PDF."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from qorgau.audit import service as audit
from qorgau.auth.deps import Require
from qorgau.auth.enums import Permission
from qorgau.auth.service import Principal
from qorgau.core.errors import ValidationFailed
from qorgau.core.web import MAX_ROW_ID, ClientSource, DbSession
from qorgau.legalstats.clearance import DEFAULT_READING, READINGS
from qorgau.statistics import reports

router = APIRouter(prefix="/api/statistics/reports", tags=["statistics"])
Reader = Annotated[Principal, Require(Permission.STATS_READ)]
# A report compares with last year; ten years bound the work of one request and cover any real question.
MAX_DAYS = 3660
EXPORT_ACTION = "statistics.report_export"
# A place name: letters of any script, digits, spaces and the punctuation names carry; no control characters
# (PostgreSQL refuses NUL) and nothing the report's font cannot draw.
NAME = r"^[\w .,()«»\"'№-]+$"


def _problems(first: date, last: date, reading: str) -> list[dict[str, str]]:
    problems: list[dict[str, str]] = []
    if first > last:
        problems.append({"field": "to", "code": "statistics.period_reversed",
                         "detail": f"{first.isoformat()} > {last.isoformat()}"})
    elif (last - first).days >= MAX_DAYS:
        problems.append({"field": "to", "code": "statistics.period_too_long", "detail": f"max {MAX_DAYS} days"})
    if first.year < 2:
        problems.append({"field": "from", "code": "statistics.period_too_early", "detail": first.isoformat()})
    if reading not in READINGS:
        problems.append({"field": "reading", "code": "statistics.unknown_reading",
                         "detail": f"{reading}; known: {', '.join(READINGS)}"})
    return problems


@router.get("/offences", response_class=Response, responses={
    200: {"content": {reports.MEDIA_TYPES["xlsx"]: {}, reports.MEDIA_TYPES["pdf"]: {}},
          "description": "The report file."},
    422: {"description": "The period or the reading is invalid: every problem is listed in `errors`."}})
def offence_report(
    principal: Reader, db: DbSession, source: ClientSource,
    first: Annotated[date, Query(alias="from", description="First day of the period, inclusive.")],
    last: Annotated[date, Query(alias="to", description="Last day of the period, inclusive.")],
    format: Annotated[Literal["xlsx", "pdf"], Query(description="File format.")] = "xlsx",
    lang: Annotated[Literal["kk", "ru", "en"], Query(description="Language of the report.")] = "ru",
    district_id: Annotated[int | None, Query(ge=1, le=MAX_ROW_ID, description="One police district.")] = None,
    settlement: Annotated[str | None, Query(min_length=1, max_length=200, pattern=NAME,
                                            description="One settlement, as the registry names it.")] = None,
    article_group: Annotated[str | None, Query(min_length=1, max_length=32, pattern=r"^[a-z_]+$",
                                               description="One article group (theft, fraud...).")] = None,
    include_generated: Annotated[bool, Query(description="Count generated (demonstration) records too.")] = False,
    reading: Annotated[str, Query(max_length=32, description="Clearance reading (legalstats).")] = DEFAULT_READING,
) -> Response:
    """Registered offences and their clearance for a period against the same period of last year (АППГ):
    totals, article groups, districts, settlements, severity and clearance with its formula. The same period
    and filters give the same bytes; the download is audited."""
    problems = _problems(first, last, reading)
    if problems:
        raise ValidationFailed("statistics.report_invalid", errors=problems, params={"count": len(problems)})
    query = reports.ReportQuery(first=first, last=last, district_id=district_id, settlement=settlement,
                                article_group=article_group, include_generated=include_generated, reading=reading)
    body = reports.render(reports.build(reports.gather(db, query), lang), format)
    audit.record(db, action=EXPORT_ACTION, actor=principal.actor(source), target_type="offence_report",
                 details={"from": first.isoformat(), "to": last.isoformat(), "format": format, "lang": lang,
                          "district_id": district_id, "settlement": settlement, "article_group": article_group,
                          "include_generated": include_generated, "reading": reading, "bytes": len(body)})
    name = f"offences-{first.isoformat()}-{last.isoformat()}-{lang}.{format}"
    return Response(body, media_type=reports.MEDIA_TYPES[format],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
