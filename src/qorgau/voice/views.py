"""HTTP routes of voice calls: the desk's list, answering (a race-safe claim), hold, mute, transfer, hang-up,
leave, callback, incident link, the operators on duty, and audited recording playback."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import FileResponse

from qorgau.auth import service as auth_service
from qorgau.auth.deps import Require
from qorgau.auth.enums import Permission
from qorgau.auth.service import Principal
from qorgau.core.errors import Forbidden, QorgauError
from qorgau.core.runtime import Runtime
from qorgau.core.time import utcnow
from qorgau.core.web import MAX_ROW_ID, AppRuntime, ClientSource, IdPath, RequestLanguage
from qorgau.voice import actions, playback, queries, service
from qorgau.voice.config import VoiceSettings
from qorgau.voice.control import BridgeClient, BridgeError, CallMedia
from qorgau.voice.enums import CallKind
from qorgau.voice.models import VoiceCall
from qorgau.voice.schemas import (
    AnswerBody,
    AnswerRead,
    CallRead,
    IncidentLinkBody,
    KeepBody,
    OperatorRead,
    ToggleBody,
    TransferBody,
)

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/voice", tags=["voice"])
Watcher = Annotated[Principal, Require(Permission.ALARMS_READ)]
Answerer = Annotated[Principal, Require(Permission.VOICE_ANSWER)]
Listener = Annotated[Principal, Require(Permission.VOICE_RECORDINGS)]
T = TypeVar("T")
# The bridge's refusals as the desk's words: the call is gone, not bridgeable, or the voice process is down.
BRIDGE_CODES = {400: ("voice.bad_sdp", 422), 404: ("voice.call_gone", 409), 409: ("voice.not_bridgeable", 409),
                501: ("voice.callback_unavailable", 501), 503: ("voice.bridge_unreachable", 503)}
CALLBACK_CODES = {"voice.no_contact": 409, "voice.no_trunk": 409, "voice.no_media_port": 503,
                  "voice.not_recorded": 503}
CONFLICTS: dict[int | str, dict[str, Any]] = {
    409: {"description": "`voice.call_taken` (with `by`: who has it), `voice.call_ended`, `voice.not_yours`, "
                         "`voice.bad_state`, `voice.call_gone` or `voice.not_bridgeable`."},
    503: {"description": "`voice.bridge_unreachable`: the voice process does not answer."}}


def bridge_client(runtime: AppRuntime) -> BridgeClient:
    """The voice process's client for this server (a dependency, so tests may start their own bridge)."""
    settings = runtime.settings.part(VoiceSettings)
    return BridgeClient.for_settings(settings, port=settings.voice_control_port)


Bridge = Annotated[BridgeClient, Depends(bridge_client)]


def _settings(runtime: Runtime) -> VoiceSettings:
    return runtime.settings.part(VoiceSettings)


def _every(runtime: Runtime) -> timedelta:
    return timedelta(seconds=_settings(runtime).voice_escalate_after_s)


async def _tx(runtime: Runtime, work: Callable[[Session], T]) -> T:
    """Run ``work`` in its own committed transaction, off the event loop."""
    def run() -> T:
        with runtime.db.unit_of_work() as session:
            return work(session)
    return await asyncio.to_thread(run)


def _operator(session: Session, principal: Principal, source: str) -> actions.Operator:
    name = auth_service.get(session, principal.user_id).display_name
    return actions.Operator(user_id=principal.user_id, name=name, actor=principal.actor(source),
                            ctx=principal.context())


def _bridge_failed(exc: BridgeError) -> QorgauError:
    if exc.code in CALLBACK_CODES:  # why a callback cannot be placed: the desk shows the reason itself
        return QorgauError(exc.code, status=CALLBACK_CODES[exc.code])
    code, status = BRIDGE_CODES.get(exc.status, ("voice.bridge_error", 502))
    return QorgauError(code, status=status)


def _read(session: Session, runtime: Runtime, principal: Principal, call: VoiceCall, language: str = "ru",
          live: dict[int, CallMedia] | None = None) -> CallRead:
    return queries.present(session, [call], now=utcnow(), show_caller=principal.can(Permission.VOICE_ANSWER),
                           show_recording=principal.can(Permission.VOICE_RECORDINGS), language=language,
                           db=runtime.db, live=live)[0]


async def _live_media(bridge: BridgeClient) -> dict[int, CallMedia]:
    """The voice process's media figures; none when it does not answer (the list still shows the calls)."""
    try:
        return {m.call_id: m for m in await bridge.calls()}
    except BridgeError as exc:
        log.info("voice process not answering for media figures: %s", exc.code)
        return {}


@router.get("/calls", response_model=list[CallRead])
async def list_calls(principal: Watcher, runtime: AppRuntime, bridge: Bridge, language: RequestLanguage,
                     active: bool = True, limit: Annotated[int, Query(ge=1, le=500)] = 100,
                     before_id: Annotated[int | None, Query(ge=1, le=MAX_ROW_ID)] = None,
                     incident_id: Annotated[int | None, Query(ge=1, le=MAX_ROW_ID)] = None) -> list[CallRead]:
    """Active calls oldest first (the queue); with ``active=false`` the latest calls, newest first; with
    ``incident_id`` the calls linked to that incident, in order."""
    asking = active and incident_id is None and _settings(runtime).voice_enabled
    live = await _live_media(bridge) if asking else {}

    def work(session: Session) -> list[CallRead]:
        found = queries.calls(session, active=active, limit=limit, before_id=before_id, incident_id=incident_id)
        return queries.present(session, found, now=utcnow(), show_caller=principal.can(Permission.VOICE_ANSWER),
                               show_recording=principal.can(Permission.VOICE_RECORDINGS), language=language,
                               db=runtime.db, live=live)
    return await _tx(runtime, work)


@router.get("/calls/{call_id}", response_model=CallRead)
async def get_call(call_id: IdPath, principal: Watcher, runtime: AppRuntime, language: RequestLanguage) -> CallRead:
    """One call."""
    return await _tx(runtime, lambda s: _read(s, runtime, principal, service.get(s, call_id), language))


@router.post("/calls/{call_id}/answer", response_model=AnswerRead, responses=CONFLICTS)
async def answer(call_id: IdPath, body: AnswerBody, principal: Answerer, runtime: AppRuntime, bridge: Bridge,
                 source: ClientSource, language: RequestLanguage) -> AnswerRead:
    """Take the call: claimed in the database first (409 `voice.call_taken` with who, if another operator was
    quicker), then the browser attached through the voice process; a refused attachment undoes the claim.
    A supervisor may take over a call another operator has (`take_over`; their leg is closed)."""
    if body.take_over and not principal.can(Permission.ALARMS_ESCALATIONS):
        raise Forbidden()
    holder: dict[str, actions.Operator] = {}

    def take(session: Session) -> actions.Claim:
        holder["op"] = _operator(session, principal, source)
        return actions.claim(session, call_id=call_id, op=holder["op"], at=utcnow(), take_over=body.take_over)
    won = await _tx(runtime, take)
    op = holder["op"]
    try:
        leg = await bridge.attach(call_id=call_id, operator_id=principal.user_id, sdp=body.sdp)
    except BridgeError as exc:
        await _tx(runtime, lambda s: actions.undo_claim(s, claim_=won, at=utcnow()))
        raise _bridge_failed(exc) from exc

    def done(session: Session) -> CallRead:
        call = actions.attached(session, call_id=call_id, op=op, leg_id=leg.leg_id, at=utcnow(), claim_=won)
        return _read(session, runtime, principal, call, language)
    return AnswerRead(leg_id=leg.leg_id, sdp=leg.sdp, call=await _tx(runtime, done))


async def _check(runtime: Runtime, principal: Principal, source: str, call_id: int,
                 states: tuple[Any, ...]) -> None:
    """409 before asking the voice process, when the call is not this operator's or not in ``states``."""
    await _tx(runtime, lambda s: actions.handled_by(s, call_id=call_id, op=_operator(s, principal, source),
                                                    states=states))


@router.post("/calls/{call_id}/hold", response_model=CallRead, responses=CONFLICTS)
async def hold(call_id: IdPath, body: ToggleBody, principal: Answerer, runtime: AppRuntime, bridge: Bridge,
               source: ClientSource, language: RequestLanguage) -> CallRead:
    """Put the call on hold (the caller hears the hold tone) or take it back; it stays this operator's."""
    await _check(runtime, principal, source, call_id, ("answered", "held"))
    try:
        await bridge.hold(call_id, body.on)
    except BridgeError as exc:
        raise _bridge_failed(exc) from exc
    return await _tx(runtime, lambda s: _read(s, runtime, principal, actions.hold(
        s, call_id=call_id, op=_operator(s, principal, source), on=body.on, at=utcnow()), language))


@router.post("/calls/{call_id}/mute", response_model=CallRead, responses=CONFLICTS)
async def mute(call_id: IdPath, body: ToggleBody, principal: Answerer, runtime: AppRuntime, bridge: Bridge,
               source: ClientSource, language: RequestLanguage) -> CallRead:
    """Mute or unmute the operator's microphone."""
    await _check(runtime, principal, source, call_id, ("answered", "held"))
    try:
        await bridge.mute(call_id, body.on)
    except BridgeError as exc:
        raise _bridge_failed(exc) from exc
    return await _tx(runtime, lambda s: _read(s, runtime, principal, actions.mute(
        s, call_id=call_id, op=_operator(s, principal, source), on=body.on, at=utcnow()), language))


@router.post("/calls/{call_id}/transfer", response_model=CallRead, responses=CONFLICTS)
async def transfer(call_id: IdPath, body: TransferBody, principal: Answerer, runtime: AppRuntime,
                   source: ClientSource, language: RequestLanguage) -> CallRead:
    """Hand the call to another operator on duty or the supervisor; they answer it with their own `answer`."""
    def work(session: Session) -> CallRead:
        now = utcnow()
        target = queries.operator(session, body.to_user_id, now=now)
        if target is None:
            raise QorgauError("voice.not_on_duty", status=422, params={"id": body.to_user_id})
        call = actions.transfer(session, call_id=call_id, op=_operator(session, principal, source),
                                to_user_id=target.id, to_name=target.name, at=now, escalate_after=_every(runtime))
        return _read(session, runtime, principal, call, language)
    return await _tx(runtime, work)


@router.post("/calls/{call_id}/hangup", response_model=CallRead, responses=CONFLICTS)
async def hangup(call_id: IdPath, principal: Answerer, runtime: AppRuntime, bridge: Bridge, source: ClientSource,
                 language: RequestLanguage) -> CallRead:
    """End the call (BYE to the terminal or trunk; the recording is closed)."""
    await _check(runtime, principal, source, call_id, ("ringing", "answered", "held", "transferring"))
    try:
        await bridge.hangup(call_id)
    except BridgeError as exc:
        if exc.status != 404:  # 404: the voice process no longer holds it; the record still ends here
            raise _bridge_failed(exc) from exc
    return await _tx(runtime, lambda s: _read(s, runtime, principal, actions.hung_up(
        s, call_id=call_id, op=_operator(s, principal, source), at=utcnow()), language))


@router.post("/calls/{call_id}/leave", response_model=CallRead, responses=CONFLICTS)
async def leave(call_id: IdPath, principal: Answerer, runtime: AppRuntime, bridge: Bridge, source: ClientSource,
                language: RequestLanguage) -> CallRead:
    """The browser leaves: the call waits on hold and rings again for the other operators, never lost."""
    def work(session: Session) -> tuple[CallRead, str | None]:
        leg_id = service.get(session, call_id).leg_id
        call = actions.leave(session, call_id=call_id, op=_operator(session, principal, source), at=utcnow(),
                             escalate_after=_every(runtime))
        return _read(session, runtime, principal, call, language), leg_id
    read, leg_id = await _tx(runtime, work)
    if leg_id:
        try:
            await bridge.detach(leg_id)
        except BridgeError as exc:  # the call is queued already; the voice process holds it when the leg drops
            log.warning("voice process did not detach leg of call %s: %s", call_id, exc.code)
        except ValueError:  # its 204 has no body, which BridgeClient still parses as JSON: detached all the same
            log.debug("voice process detached leg of call %s", call_id)
    return read


@router.post("/calls/{call_id}/callback", response_model=CallRead, responses=CONFLICTS)
async def callback(call_id: IdPath, principal: Answerer, runtime: AppRuntime, bridge: Bridge, source: ClientSource,
                   language: RequestLanguage) -> CallRead:
    """Call the terminal or the 102 caller back: a new outgoing call, this operator's, to `answer` like any."""
    def original_of(session: Session) -> tuple[str | None, str | None]:
        call = service.get(session, call_id)
        if call.kind == CallKind.SOS or (call.kind == CallKind.CALLBACK and call.device_code):
            return call.device_code, None
        if not call.caller:
            raise QorgauError("voice.no_number", status=422, params={"id": call_id})
        return None, call.caller
    device_code, number = await _tx(runtime, original_of)
    try:
        started = await bridge.callback(device_code=device_code, number=number, operator_id=principal.user_id)
    except BridgeError as exc:
        raise _bridge_failed(exc) from exc

    def work(session: Session) -> CallRead:
        call = actions.callback_started(session, original=service.get(session, call_id), new_call_id=started.call_id,
                                        op=_operator(session, principal, source), at=utcnow())
        return _read(session, runtime, principal, call, language)
    return await _tx(runtime, work)


@router.post("/calls/{call_id}/incident", response_model=CallRead)
async def link_incident(call_id: IdPath, body: IncidentLinkBody, principal: Answerer, runtime: AppRuntime,
                        source: ClientSource, language: RequestLanguage) -> CallRead:
    """Link the call to an incident (the one the 102 intake opened from it); audited."""
    return await _tx(runtime, lambda s: _read(s, runtime, principal, actions.link_incident(
        s, call_id=call_id, incident_id=body.incident_id, op=_operator(s, principal, source), at=utcnow()),
        language))


@router.post("/calls/{call_id}/keep", response_model=CallRead)
async def keep(call_id: IdPath, body: KeepBody, principal: Listener, runtime: AppRuntime, source: ClientSource,
               language: RequestLanguage) -> CallRead:
    """Keep the recording past the retention period (evidence), with a reason; audited."""
    return await _tx(runtime, lambda s: _read(s, runtime, principal, actions.keep(
        s, call_id=call_id, op=_operator(s, principal, source), kept=body.kept, reason=body.reason, at=utcnow()),
        language))


@router.get("/calls/{call_id}/recording", response_class=FileResponse,
            responses={200: {"content": {"audio/ogg": {}}, "description": "The call's audio (HTTP Range)."}})
async def recording(call_id: IdPath, request: Request, principal: Listener, runtime: AppRuntime,
                    source: ClientSource) -> FileResponse:
    """The call's recording; each playback is audited (the request that starts it, not every Range part)."""
    root = _settings(runtime).voice_recordings_dir
    path, media_type = await _tx(runtime, lambda s: playback.open_for(
        s, call_id=call_id, root=root, actor=principal.actor(source), range_header=request.headers.get("range"),
        now=utcnow()))
    return FileResponse(path, media_type=media_type, filename=f"call-{call_id}{path.suffix}",
                        content_disposition_type="inline")


@router.get("/operators", response_model=list[OperatorRead])
async def operators(principal: Answerer, runtime: AppRuntime) -> list[OperatorRead]:
    """Who is on duty (signed in, may answer calls) and may take a transfer; the caller is left out."""
    found = await _tx(runtime, lambda s: queries.on_duty(s, now=utcnow()))
    return [o for o in found if o.id != principal.user_id]

