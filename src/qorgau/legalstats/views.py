"""HTTP routes of the official forms: regions, what is stored, figures with the national total, clearance, import."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, UploadFile

from qorgau.auth.deps import Require
from qorgau.auth.enums import Permission
from qorgau.auth.service import Principal
from qorgau.core.errors import ValidationFailed
from qorgau.core.web import BULK_BODY_MARK, AppRuntime, ClientSource, DbSession, ReadSession
from qorgau.legalstats import service
from qorgau.legalstats.clearance import READINGS, ClearanceInputs
from qorgau.legalstats.config import LegalStatsSettings
from qorgau.legalstats.regions import NATIONAL, NATIONAL_NAMES, REGIONS
from qorgau.legalstats.schemas import (
    LegalAvailable,
    LegalClearance,
    LegalClearanceInputs,
    LegalFigures,
    LegalImported,
    LegalRates,
    LegalReading,
    LegalRegion,
    LegalRegionClearance,
    LegalRegionFigures,
    LegalRegionRate,
)

router = APIRouter(prefix="/api/legalstats", tags=["legalstats"])
Reader = Annotated[Principal, Require(Permission.STATS_READ)]
Writer = Annotated[Principal, Require(Permission.OFFENCES_WRITE)]
FormQuery = Annotated[str, Query(pattern=r"^(sng1|1m|population)$", description="sng1, 1m or population.")]
PeriodQuery = Annotated[str, Query(pattern=service.PERIOD.pattern, description='"2023" or "2023-06".')]
REFUSED: dict[int | str, dict[str, Any]] = {
    422: {"description": "The files were refused: every unreadable cell is listed in `errors`; nothing was stored."}}
SUBJECT_PATTERN = r"^(crimes|all|misdemeanours|severity\.[a-z_]+|group\.[a-z_]+)$"
MAX_UPLOAD = 20 * 1024 * 1024  # a 1-М workbook is about 1 MB; 20 files of it fit


@router.get("/regions", response_model=list[LegalRegion])
def regions(_: Reader) -> list[LegalRegion]:
    """The 17 regions and 3 cities of the forms, then the national total."""
    return [LegalRegion(code=r.code, names=r.names()) for r in REGIONS] + [
        LegalRegion(code=NATIONAL, names=dict(NATIONAL_NAMES), national=True)]


@router.get("/available", response_model=list[LegalAvailable])
def available(_: Reader, db: ReadSession) -> list[LegalAvailable]:
    """The forms and periods stored and which regions each has, newest period first."""
    return [LegalAvailable(form=a.form, period=a.period, regions=list(a.regions),
                           national_total=len(a.regions) == len(REGIONS)) for a in service.available(db)]


@router.get("/figures", response_model=LegalFigures, responses={404: {"description": "Nothing stored for that."}})
def figures(_: Reader, db: ReadSession, form: FormQuery, period: PeriodQuery,
            region: Annotated[str | None, Query(max_length=32, description='A region code, or "kz".')] = None,
            ) -> LegalFigures:
    """A form's reference figures for a period by region, with the national total (the sum of the 20)."""
    found = service.figures(db, form=form, period=period, region=region)
    return LegalFigures(form=form, period=period, regions=[
        LegalRegionFigures(region=f.region, values=f.values, cells=f.cells, source_name=f.source_name)
        for f in found])


def _inputs(inputs: ClearanceInputs) -> LegalClearanceInputs:
    def known(name: str, value: int | None) -> int | None:
        return value if inputs.knows(name) else None

    return LegalClearanceInputs(
        registered=inputs.registered, completed=inputs.completed,
        sent_to_court=known("sent_to_court", inputs.sent_to_court),
        terminated_non_rehabilitating=known("terminated_non_rehabilitating", inputs.terminated_non_rehabilitating),
        terminated_rehabilitating=known("terminated_rehabilitating", inputs.terminated_rehabilitating),
        interrupted=inputs.interrupted, interrupted_unidentified=inputs.interrupted_unidentified,
        carried_over=known("carried_over", inputs.carried_over))


@router.get("/clearance", response_model=LegalClearance, responses={404: {"description": "Nothing stored."}})
def clearance(_: Reader, db: ReadSession, runtime: AppRuntime, period: PeriodQuery,
              form: Annotated[str, Query(pattern=r"^(sng1|1m)$")] = "sng1",
              subject: Annotated[str, Query(pattern=SUBJECT_PATTERN,
                                            description="crimes (default), all (1-М), a severity or a group.")]
              = "crimes") -> LegalClearance:
    """Clearance of every region and the national total under every reading, each with its formula."""
    default = runtime.settings.part(LegalStatsSettings).stats_clearance_reading
    table = service.clearance_table(db, form=form, period=period, subject=subject)
    return LegalClearance(
        form=form, period=period, subject=subject, reading=default,
        readings=[LegalReading(code=r.code, names=dict(r.names), formula=dict(r.formula), default=r.code == default)
                  for r in READINGS.values()],
        regions=[LegalRegionClearance(region=row.region, inputs=_inputs(row.inputs), values=row.values)
                 for row in table])


@router.get("/rates", response_model=LegalRates, responses={404: {"description": "Nothing stored for that."}})
def rates(_: Reader, db: ReadSession, period: PeriodQuery,
          form: Annotated[str, Query(pattern=r"^(sng1|1m)$")] = "sng1",
          subject: Annotated[str, Query(pattern=SUBJECT_PATTERN)] = "crimes",
          measure: Annotated[str, Query(pattern=r"^[a-z_]{1,48}$")] = "registered") -> LegalRates:
    """A figure per 10,000 residents by region and for the country (population of the same period)."""
    found = service.rates(db, form=form, period=period, subject=subject, measure=measure)
    return LegalRates(form=form, period=period, subject=subject, measure=measure,
                      regions=[LegalRegionRate(**vars(rate)) for rate in found])


# A bulk route: the body may be up to max_import_bytes (a 1-М workbook alone is about 1 MB).
@router.post("/import", response_model=list[LegalImported], status_code=201, responses=REFUSED,
             openapi_extra={BULK_BODY_MARK: True})
def import_forms(principal: Writer, db: DbSession, source: ClientSource,
                       files: Annotated[list[UploadFile], File(description="СНГ-1, 1-М or population workbooks.")],
                       period: Annotated[str, Form(pattern=service.PERIOD.pattern,
                                                   description='The period the forms report: "2023" or "2023-06" '
                                                               '(the sheets print none).')],
                       region: Annotated[str | None, Form(max_length=32, description="The region of every file, "
                                                          "when the file names do not say.")] = None,
                       ) -> list[LegalImported]:
    """Import forms for a period (all files or none); each replaces the same form, region and period; audited."""
    # A plain (threaded) route: reading a workbook and writing its figures are blocking work.
    uploads = [service.Upload(name=upload.filename or "upload.xlsx", content=upload.file.read(MAX_UPLOAD + 1))
               for upload in files]
    if any(len(u.content) > MAX_UPLOAD for u in uploads):
        raise ValidationFailed("legalstats.file_too_large", params={"max_mb": MAX_UPLOAD // 2**20})
    done = service.import_forms(db, uploads=uploads, period=period, actor=principal.actor(source), region=region)
    return [LegalImported(**vars(d)) for d in done]
