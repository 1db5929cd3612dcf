"""HTTP routes of incidents: intake, the board, one incident with its timeline, transitions, notes, EIDO, metrics."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from qorgau.audit import service as audit
from qorgau.auth.deps import Require
from qorgau.auth.enums import Permission
from qorgau.auth.service import Principal
from qorgau.core.errors import QorgauError
from qorgau.core.i18n import translate
from qorgau.core.pagination import DEFAULT_LIMIT, Page, decode_int_cursor, encode_cursor
from qorgau.core.time import as_utc
from qorgau.core.web import AppRuntime, ClientSource, DbSession, IdPath, PageLimit, ReadSession, RequestLanguage
from qorgau.incidents import eido, merging, metrics, service
from qorgau.incidents.config import IncidentsSettings
from qorgau.incidents.enums import IncidentAction, IncidentState
from qorgau.incidents.present import actor_of, detail, to_read
from qorgau.incidents.schemas import (
    CategoryRead,
    IncidentCreate,
    IncidentDetail,
    IncidentRead,
    MergeIn,
    NoteIn,
    NoteRead,
    ResponseMetrics,
    TransitionIn,
)

router = APIRouter(prefix="/api/incidents", tags=["incidents"])
Reader = Annotated[Principal, Require(Permission.INCIDENTS_READ)]
Writer = Annotated[Principal, Require(Permission.INCIDENTS_WRITE)]
Analyst = Annotated[Principal, Require(Permission.STATS_READ)]


@router.get("/categories", response_model=list[CategoryRead])
def list_categories(_: Reader, db: ReadSession, language: RequestLanguage) -> list[CategoryRead]:
    """Categories with their default priority (1 highest … 255 lowest), most urgent first."""
    return [CategoryRead(code=c.code, name=translate(f"incidents.category.{c.code}", language),
                         default_priority=c.default_priority) for c in service.categories(db)]


@router.get("/response", response_model=ResponseMetrics)
def response_metrics(_: Analyst, db: ReadSession, runtime: AppRuntime,
                     start: Annotated[datetime, Query(alias="from")], end: Annotated[datetime, Query(alias="to")],
                     category: Annotated[str | None, Query(max_length=32)] = None,
                     area: Annotated[str | None, Query(max_length=200)] = None,
                     include_simulated: bool = False) -> ResponseMetrics:
    """P50/P90 of each response stage for incidents received in [from, to), by category and by area."""
    if start.tzinfo is None or end.tzinfo is None or start >= end:
        raise QorgauError("incidents.bad_period", status=422,
                          errors=[{"field": "query.from", "message": "aware times with from < to"}])
    s = runtime.settings.part(IncidentsSettings)
    targets = metrics.Targets(s.response_target_ack_s, s.response_target_on_scene_town_s,
                              s.response_target_on_scene_district_s)
    return metrics.response(db, start=as_utc(start), end=as_utc(end), targets=targets, category=category, area=area,
                            include_simulated=include_simulated)


@router.post("", response_model=IncidentDetail, status_code=201)
def create_incident(body: IncidentCreate, principal: Writer, db: DbSession, runtime: AppRuntime,
                    language: RequestLanguage) -> IncidentDetail:
    """Open an incident by hand, from an alarm (`alarm_id`), or from a 102 call (`source: call`)."""
    principal.confine(simulated=body.simulated)  # the simulator's role opens simulated incidents only
    incident = service.create(db, incident_in=body, actor=actor_of(principal), ctx=principal.context(),
                              language=language)
    return detail(db, runtime.db, incident, with_caller=True)


@router.get("", response_model=Page[IncidentRead])
def list_incidents(_: Reader, db: ReadSession, state: Annotated[list[IncidentState] | None, Query()] = None,
                   category: Annotated[list[str] | None, Query()] = None,
                   area: Annotated[str | None, Query(max_length=200)] = None,
                   q: Annotated[str | None, Query(max_length=100, description="Text in number, address, "
                                                                            "description.")] = None,
                   cursor: str | None = None, limit: PageLimit = DEFAULT_LIMIT) -> Page[IncidentRead]:
    """The board: incidents newest first, filtered by state (repeatable), category, area and text."""
    rows = service.page(db, states=state or (), categories=category or (), area=area, text=q,
                        after=decode_int_cursor(cursor), limit=limit + 1)
    items = [to_read(i) for i in rows[:limit]]
    return Page(items=items, next_cursor=encode_cursor(items[-1].id) if len(rows) > limit else None)


@router.get("/{incident_id}", response_model=IncidentDetail)
def get_incident(incident_id: IdPath, principal: Reader, db: ReadSession, runtime: AppRuntime) -> IncidentDetail:
    """One incident: timeline, notes, links, nearest cameras; the caller only for those who may edit it."""
    incident = service.get(db, incident_id)
    return detail(db, runtime.db, incident, with_caller=principal.can(Permission.INCIDENTS_WRITE))


@router.post("/{incident_id}/transition", response_model=IncidentRead,
             responses={409: {"description": "Not allowed from the current state; `allowed` names those that are"}})
def transition(incident_id: IdPath, body: TransitionIn, principal: Writer, db: DbSession) -> IncidentRead:
    """Move the incident to another state by hand."""
    if principal.simulated_only:  # the simulator's role moves simulated incidents only
        principal.confine(simulated=service.get(db, incident_id).simulated)
    incident = service.transition(db, incident_id=incident_id, to=body.to, actor=actor_of(principal),
                                  ctx=principal.context(), reason=body.reason)
    return to_read(incident)


@router.get("/{incident_id}/duplicates", response_model=list[IncidentRead])
def list_duplicates(incident_id: IdPath, _: Reader, db: ReadSession) -> list[IncidentRead]:
    """Open incidents that likely report the same event: same category, within minutes, same address or close."""
    return [to_read(i) for i in merging.likely_duplicates(db, service.get(db, incident_id))]


@router.post("/{incident_id}/merge", response_model=IncidentRead,
             responses={409: {"description": "The same incident, or one of the two is not open"}})
def merge(incident_id: IdPath, body: MergeIn, principal: Writer, db: DbSession, source: ClientSource
          ) -> IncidentRead:
    """Close this incident as a duplicate merged into `into`: notes move, alarm/camera/unit links follow; audited."""
    if principal.simulated_only:
        principal.confine(simulated=service.get(db, incident_id).simulated)
    kept = merging.merge(db, duplicate_id=incident_id, into_id=body.into, actor=principal.actor(source),
                         ctx=principal.context())
    return to_read(kept)


@router.post("/{incident_id}/notes", response_model=NoteRead, status_code=201)
def add_note(incident_id: IdPath, body: NoteIn, principal: Writer, db: DbSession) -> NoteRead:
    if principal.simulated_only:
        principal.confine(simulated=service.get(db, incident_id).simulated)
    note = service.add_note(db, incident_id=incident_id, author=actor_of(principal), text=body.text,
                            ctx=principal.context())
    return NoteRead.model_validate(note)


@router.get("/{incident_id}/eido")
def export_eido(incident_id: IdPath, principal: Reader, db: DbSession, source: ClientSource) -> dict[str, Any]:
    """The incident as an EIDO (NENA-STA-021) JSON message; the export is recorded in the audit log."""
    incident = service.get(db, incident_id)
    transitions, notes, links = service.timeline(db, incident.id)
    with_caller = principal.can(Permission.INCIDENTS_WRITE)
    audit.record(db, action=IncidentAction.EIDO_EXPORT, actor=principal.actor(source), target_type="incident",
                 target_id=incident.number, details={"with_caller": with_caller})
    return eido.export(incident, transitions=transitions, notes=notes, links=links, with_caller=with_caller)

