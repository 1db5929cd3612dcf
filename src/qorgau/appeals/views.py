"""HTTP routes of residents' appeals: register, list, read (the applicant shown and audited), act, attach,
subjects, the working-day calendar and figures."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from qorgau.appeals import actions, calendar, queries, service
from qorgau.appeals.config import AppealsSettings
from qorgau.appeals.enums import AppealChannel, AppealState
from qorgau.appeals.schemas import (
    AppealCalendarDay,
    AppealCreate,
    AppealDetail,
    AppealFiguresRead,
    AppealPage,
    AppealRead,
    AppealSubjectRead,
    AppealUpdate,
)
from qorgau.appeals.subjects import SUBJECTS
from qorgau.auth.deps import Require
from qorgau.auth.enums import Permission, Role
from qorgau.auth.service import Principal
from qorgau.core.errors import Forbidden, QorgauError
from qorgau.core.pagination import DEFAULT_LIMIT
from qorgau.core.time import as_utc
from qorgau.core.web import MAX_ROW_ID, AppRuntime, ClientSource, DbSession, IdPath, PageLimit, ReadSession

router = APIRouter(prefix="/api/appeals", tags=["appeals"])
Reader = Annotated[Principal, Require(Permission.APPEALS_READ)]
Writer = Annotated[Principal, Require(Permission.APPEALS_WRITE)]
OptionalId = Annotated[int | None, Query(ge=1, le=MAX_ROW_ID)]
CALENDAR_EDITORS = frozenset({Role.SUPERVISOR})  # decreed transfers are an office matter, not an inspector's
INVALID: dict[int | str, dict[str, Any]] = {
    422: {"description": "The appeal is invalid: every problem is listed in `errors`."}}


def _settings(runtime: AppRuntime) -> AppealsSettings:
    return runtime.settings.part(AppealsSettings)


def _terms(runtime: AppRuntime) -> actions.Terms:
    settings = _settings(runtime)
    return actions.Terms(extension_days=settings.appeal_extension_working_days, zone=settings.zone)


@router.get("/subjects", response_model=list[AppealSubjectRead])
def subjects(_: Reader) -> list[AppealSubjectRead]:
    """The shipped list of subjects with their names in Kazakh, Russian and English."""
    return [AppealSubjectRead(code=s.code, name_kk=s.name_kk, name_ru=s.name_ru, name_en=s.name_en)
            for s in SUBJECTS]


@router.post("", response_model=AppealRead, status_code=201, responses=INVALID)
def register(body: AppealCreate, principal: Writer, db: DbSession, runtime: AppRuntime,
             source: ClientSource) -> AppealRead:
    """Register an appeal, routed to the district at its point and that district's least busy inspector."""
    principal.confine(simulated=body.simulated)
    settings = _settings(runtime)
    appeal = service.create(db, appeal_in=body, actor=principal.actor(source), ctx=principal.context(),
                            term_days=settings.appeal_term_working_days, zone=settings.zone)
    return queries.present(db, [appeal], cal=calendar.load(db), zone=settings.zone)[0]


@router.get("", response_model=AppealPage)
def list_appeals(principal: Reader, db: ReadSession, runtime: AppRuntime, district_id: OptionalId = None,
                 inspector_id: OptionalId = None, mine: bool = False, state: AppealState | None = None,
                 channel: AppealChannel | None = None, overdue: bool | None = None, start: datetime | None = None,
                 end: datetime | None = None, simulated: bool | None = None, cursor: str | None = None,
                 limit: PageLimit = DEFAULT_LIMIT) -> AppealPage:
    """Appeals newest first; ``mine`` keeps the caller's own; ``start``/``end`` bound the registration time."""
    filters = queries.Filters(district_id=district_id, inspector_id=principal.user_id if mine else inspector_id,
                              state=state, channel=channel, overdue=overdue,
                              start=as_utc(start) if start else None, end=as_utc(end) if end else None,
                              simulated=simulated)
    return queries.page(db, filters=filters, cursor=cursor, limit=limit, cal=calendar.load(db),
                        zone=_settings(runtime).zone)


@router.get("/figures", response_model=list[AppealFiguresRead])
def figures(_: Reader, db: ReadSession, start: datetime, end: datetime,
            include_simulated: bool = False) -> list[AppealFiguresRead]:
    """Received, answered (on time), overdue and open appeals per district and inspector over a period."""
    if as_utc(end) <= as_utc(start):
        raise QorgauError("appeals.bad_period", status=422, errors=[
            {"field": "end", "code": "appeals.problem.bad_period", "message": "end must be after start"}])
    return [AppealFiguresRead(**vars(row)) for row in service.figures(
        db, start=as_utc(start), end=as_utc(end), include_simulated=include_simulated)]


@router.get("/calendar", response_model=list[AppealCalendarDay])
def calendar_list(_: Reader, db: ReadSession, year: Annotated[int | None, Query(ge=2000, le=2100)] = None
                  ) -> list[AppealCalendarDay]:
    """The decreed overrides of the working-day calendar (public holidays come with the software)."""
    return [AppealCalendarDay(day=d.day, working=d.working, reason=d.reason)
            for d in actions.calendar_days(db, year=year)]


def _calendar_editor(principal: Principal) -> None:
    if principal.role not in CALENDAR_EDITORS:
        raise Forbidden()


@router.put("/calendar", response_model=AppealCalendarDay)
def calendar_put(body: AppealCalendarDay, principal: Writer, db: DbSession, source: ClientSource
                 ) -> AppealCalendarDay:
    """Add or replace a decreed working day or day off (supervisors); audited."""
    _calendar_editor(principal)
    found = actions.calendar_add(db, day_in=body, actor=principal.actor(source))
    return AppealCalendarDay(day=found.day, working=found.working, reason=found.reason)


@router.delete("/calendar/{day}", status_code=204)
def calendar_delete(day: date, principal: Writer, db: DbSession, source: ClientSource) -> Response:
    """Remove a decreed override (supervisors); audited."""
    _calendar_editor(principal)
    actions.calendar_remove(db, day=day, actor=principal.actor(source))
    return Response(status_code=204)


@router.get("/{appeal_id}", response_model=AppealDetail)
def get_appeal(appeal_id: IdPath, principal: Reader, db: DbSession, runtime: AppRuntime, source: ClientSource,
               personal: bool = False) -> AppealDetail:
    """One appeal with its timeline; ``personal`` shows the applicant (appeals:personal) and audits the view."""
    if personal and not principal.can(Permission.APPEALS_PERSONAL):
        raise Forbidden()
    return queries.detail(db, service.get(db, appeal_id), cal=calendar.load(db), zone=_settings(runtime).zone,
                          personal=personal, viewer=principal.actor(source) if personal else None)


@router.post("/{appeal_id}/actions", response_model=AppealRead, responses=INVALID)
def act(appeal_id: IdPath, body: AppealUpdate, principal: Writer, db: DbSession, runtime: AppRuntime,
        source: ClientSource) -> AppealRead:
    """Take up, answer, extend (once, with a reason), transfer or reassign; 409 when the state forbids it."""
    appeal = service.get(db, appeal_id)
    principal.confine(simulated=appeal.simulated)
    actions.update(db, appeal=appeal, change=body, actor=principal.actor(source), ctx=principal.context(),
                   terms=_terms(runtime))
    return queries.present(db, [appeal], cal=calendar.load(db), zone=_settings(runtime).zone)[0]


async def _raw_body(request: Request) -> bytes:
    return await request.body()


@router.post("/{appeal_id}/attachments", status_code=201,
             responses={413: {"description": "Too large"}, 415: {"description": "Type not allowed"}})
def upload(appeal_id: IdPath, request: Request, principal: Writer, db: DbSession, runtime: AppRuntime,
           source: ClientSource, payload: Annotated[bytes, Depends(_raw_body)],
           filename: Annotated[str, Query(min_length=1, max_length=200)]) -> dict[str, int]:
    """Attach the request body as a file (its Content-Type is the file's type); returns the attachment's id."""
    appeal = service.get(db, appeal_id)
    principal.confine(simulated=appeal.simulated)
    settings = _settings(runtime)
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    found = actions.attach(db, appeal=appeal, filename=filename, media_type=media, content=payload,
                           allowed=settings.appeal_attachment_types, max_bytes=settings.appeal_attachment_max_bytes,
                           actor=principal.actor(source))
    return {"id": found.id}


@router.get("/{appeal_id}/attachments/{attachment_id}", response_class=Response)
def download(appeal_id: IdPath, attachment_id: IdPath, _: Reader, db: ReadSession) -> Response:
    """The attached file as uploaded."""
    found = actions.attachment(db, appeal_id, attachment_id)
    return Response(found.content, media_type=found.media_type,
                    headers={"Content-Disposition": f'attachment; filename="attachment-{found.id}"',
                             "X-Content-Type-Options": "nosniff"})
