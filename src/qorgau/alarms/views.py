"""HTTP routes of the alarm desk: the queue, the closed alarms (history), one alarm, handling, rules, config."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response

from qorgau.alarms import present, queries, rulebook, service
from qorgau.alarms.config import AlarmsConfig, AlarmsSettings
from qorgau.alarms.enums import OPEN_STATES, AlarmState, Resolution
from qorgau.alarms.schemas import (
    AlarmDetail,
    AlarmRead,
    DeskConfig,
    EscalationBracket,
    ProcedureRead,
    ResolveBody,
    RuleFields,
    RuleRead,
    StepBody,
)
from qorgau.auth.deps import Require
from qorgau.auth.enums import Permission
from qorgau.auth.service import Principal
from qorgau.core.pagination import DEFAULT_LIMIT, Page
from qorgau.core.time import as_utc
from qorgau.core.web import AppRuntime, ClientSource, DbSession, IdPath, PageLimit, ReadSession
from qorgau.devices import sites

router = APIRouter(prefix="/api/alarms", tags=["alarms"])
Reader = Annotated[Principal, Require(Permission.ALARMS_READ)]
Handler = Annotated[Principal, Require(Permission.ALARMS_ACK)]
RuleEditor = Annotated[Principal, Require(Permission.ALARMS_RULES)]


def _config(runtime: AppRuntime) -> AlarmsConfig:
    return AlarmsConfig.from_settings(runtime.settings.part(AlarmsSettings))


@router.get("", response_model=Page[AlarmRead])
def list_alarms(
    _: Reader, db: ReadSession, runtime: AppRuntime,
    state: Annotated[list[AlarmState] | None, Query(description="Default: the open ones (new, acknowledged).")] = None,
    max_priority: Annotated[int | None, Query(ge=1, le=255, description="Only priorities 1..this.")] = None,
    device: Annotated[str | None, Query(max_length=32)] = None,
    site: Annotated[str | None, Query(max_length=32)] = None,
    cursor: str | None = None, limit: PageLimit = DEFAULT_LIMIT,
) -> Page[AlarmRead]:
    """The queue: by priority (1 first), then oldest first."""
    where = queries.QueueFilter(states=state or OPEN_STATES, max_priority=max_priority, device=device, site=site)
    rows = queries.page(db, where=where, after=queries.parse_cursor(cursor), limit=limit + 1)
    config = _config(runtime)
    items = [present.to_read(a, config) for a in rows[:limit]]
    return Page(items=items, next_cursor=queries.cursor_of(rows[limit - 1]) if len(rows) > limit else None)


@router.get("/history", response_model=Page[AlarmRead])
def alarm_history(
    _: Reader, db: ReadSession, runtime: AppRuntime,
    q: Annotated[str | None, Query(max_length=100, description="Text in codes, kind, people, notes or site names; "
                                                             "a number finds that alarm.")] = None,
    kind: Annotated[list[str] | None, Query()] = None,
    max_priority: Annotated[int | None, Query(ge=1, le=255)] = None,
    site: Annotated[str | None, Query(max_length=32)] = None,
    resolution: Annotated[list[Resolution] | None, Query()] = None,
    start: Annotated[datetime | None, Query(alias="from", description="Closed at or after.")] = None,
    end: Annotated[datetime | None, Query(alias="to", description="Closed before.")] = None,
    cursor: str | None = None, limit: PageLimit = DEFAULT_LIMIT,
) -> Page[AlarmRead]:
    """Closed alarms, the latest first, searched and filtered on the server."""
    site_codes = [s.code for s in sites.page(db, text=q, after=None, limit=50)] if q and q.strip() else []
    where = queries.HistoryFilter(text=q, site_codes=site_codes, kinds=kind or (), max_priority=max_priority,
                                  site=site, resolutions=[str(r) for r in resolution or ()],
                                  since=as_utc(start) if start else None, until=as_utc(end) if end else None)
    rows = queries.history(db, where=where, after=queries.parse_history_cursor(cursor), limit=limit + 1)
    config = _config(runtime)
    items = [present.to_read(a, config) for a in rows[:limit]]
    return Page(items=items, next_cursor=queries.history_cursor(rows[limit - 1]) if len(rows) > limit else None)


@router.get("/config", response_model=DeskConfig)
def desk_config(_: Reader, runtime: AppRuntime) -> DeskConfig:
    """What sounds, how repeats fold and when alarms escalate."""
    config = _config(runtime)
    return DeskConfig(sound_max_priority=config.sound_max_priority, fold_window_s=config.fold_window_s,
                      escalation=[EscalationBracket(up_to_priority=p, after_s=s)
                                  for p, s in sorted(config.escalation_s.items())], time_zone=config.time_zone)


@router.get("/procedures", response_model=list[ProcedureRead])
def list_procedures(_: Reader, db: ReadSession) -> list[ProcedureRead]:
    """Every procedure (SOP) with its ordered steps."""
    return rulebook.list_procedures(db)


@router.get("/rules", response_model=list[RuleRead])
def list_rules(_: Reader, db: ReadSession) -> list[RuleRead]:
    """Every rule, highest priority first."""
    return [rulebook.to_read(r) for r in rulebook.list_rules(db)]


@router.post("/rules", response_model=RuleRead, status_code=201)
def create_rule(body: RuleFields, principal: RuleEditor, db: DbSession, source: ClientSource) -> RuleRead:
    return rulebook.to_read(rulebook.create_rule(db, fields=body, actor=principal.actor(source)))


@router.get("/rules/{code}", response_model=RuleRead)
def get_rule(code: str, _: Reader, db: ReadSession) -> RuleRead:
    return rulebook.to_read(rulebook.get_rule(db, code))


@router.put("/rules/{code}", response_model=RuleRead)
def replace_rule(code: str, body: RuleFields, principal: RuleEditor, db: DbSession, source: ClientSource
                 ) -> RuleRead:
    """Replace a rule whole; its code stays."""
    return rulebook.to_read(rulebook.replace_rule(db, code=code, fields=body, actor=principal.actor(source)))


@router.delete("/rules/{code}", status_code=204)
def delete_rule(code: str, principal: RuleEditor, db: DbSession, source: ClientSource) -> Response:
    rulebook.delete_rule(db, code=code, actor=principal.actor(source))
    return Response(status_code=204)


@router.get("/{alarm_id}", response_model=AlarmDetail)
def get_alarm(alarm_id: IdPath, _: Reader, db: ReadSession, runtime: AppRuntime) -> AlarmDetail:
    """One alarm with its procedure's steps and progress, and the cameras that see it."""
    alarm = service.get(db, alarm_id)
    return present.to_detail(db, alarm, _config(runtime), present.cameras_for(runtime.db, db, alarm))


@router.post("/{alarm_id}/acknowledge", response_model=AlarmRead,
             responses={409: {"description": "Acknowledged already (the body names by whom) or not new"}})
def acknowledge(alarm_id: IdPath, principal: Handler, db: DbSession, runtime: AppRuntime) -> AlarmRead:
    """Take the alarm: it stops escalating. Of two operators acknowledging at once, exactly one wins."""
    if principal.simulated_only:  # the simulator's role handles simulated alarms only
        principal.confine(simulated=service.get(db, alarm_id).simulated)
    config = _config(runtime)
    alarm = service.acknowledge(db, alarm_id=alarm_id, user_id=principal.user_id, user_name=principal.username,
                                ctx=principal.context(), config=config)
    return present.to_read(alarm, config)


@router.post("/{alarm_id}/resolve", response_model=AlarmRead,
             responses={409: {"description": "Not acknowledged yet, or resolved already; `allowed` lists what is"}})
def resolve(alarm_id: IdPath, body: ResolveBody, principal: Handler, db: DbSession, runtime: AppRuntime) -> AlarmRead:
    """Close an acknowledged alarm as confirmed, false or test, with a note."""
    if principal.simulated_only:
        principal.confine(simulated=service.get(db, alarm_id).simulated)
    config = _config(runtime)
    alarm = service.resolve(db, alarm_id=alarm_id, resolution=body.resolution, note=body.note,
                            user_id=principal.user_id, user_name=principal.username, ctx=principal.context(),
                            config=config)
    return present.to_read(alarm, config)


@router.post("/{alarm_id}/steps/{step_key}", response_model=AlarmDetail)
def mark_step(alarm_id: IdPath, step_key: str, body: StepBody, principal: Handler, db: DbSession,
              runtime: AppRuntime) -> AlarmDetail:
    """Tick a procedure step done, or skip it; either is recorded with who and when."""
    if principal.simulated_only:
        principal.confine(simulated=service.get(db, alarm_id).simulated)
    service.mark_step(db, alarm_id=alarm_id, step_key=step_key, state=body.state, note=body.note,
                      user_id=principal.user_id, user_name=principal.username)
    alarm = service.get(db, alarm_id)
    return present.to_detail(db, alarm, _config(runtime), present.cameras_for(runtime.db, db, alarm))
