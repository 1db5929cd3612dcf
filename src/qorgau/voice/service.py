"""Voice calls' records as the voice process reports them: offered, media started, ended, recorded, problems.

The voice process (V1) calls these in its own transactions; functions never commit. Operators' actions on a
call (the claim, hold, transfer…) are in `voice.actions`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from qorgau.core.bus import Context, EventType, publish
from qorgau.core.errors import NotFound, ValidationFailed
from qorgau.core.time import as_utc
from qorgau.devices import service as device_service
from qorgau.voice import events
from qorgau.voice.enums import ACTIVE_STATES, CallKind, CallState, EndReason, MediaProblem
from qorgau.voice.events import CallChanged, CallProblem
from qorgau.voice.models import VoiceCall

ACTIVE_VALUES = tuple(str(s) for s in ACTIVE_STATES)
DEFAULT_ESCALATE_AFTER = timedelta(seconds=20)
E = TypeVar("E", bound=StrEnum)


def _member(kind: type[E], value: str, code: str) -> E:
    """``value`` as a member of the vocabulary ``kind``, or a translated refusal naming the accepted values."""
    try:
        return kind(value)
    except ValueError:
        raise ValidationFailed(code, params={"value": str(value)[:40], "allowed": ", ".join(kind)}) from None


def get(session: Session, call_id: int) -> VoiceCall:
    found = session.get(VoiceCall, call_id)
    if found is None:
        raise NotFound("voice.not_found", params={"id": call_id})
    return found


def by_sip_call_id(session: Session, sip_call_id: str) -> VoiceCall | None:
    return session.scalars(select(VoiceCall).where(VoiceCall.sip_call_id == sip_call_id)).one_or_none()


def changed(call: VoiceCall) -> CallChanged:
    return CallChanged(call_id=call.id, kind=call.kind, state=call.state, device_code=call.device_code,
                       answered_by=call.answered_by_id, transfer_to=call.transfer_to_id, alarm_id=call.alarm_id,
                       incident_id=call.incident_id, end_reason=call.end_reason,
                       escalation_level=call.escalation_level, simulated=call.simulated)


def announce(session: Session, kind: EventType[CallChanged], call: VoiceCall, ctx: Context | None = None,
             at: datetime | None = None) -> None:
    ctx = (ctx or Context.system("voice")).model_copy(update={"simulated": call.simulated})
    publish(session, kind, subject_id=str(call.id), payload=changed(call), ctx=ctx, occurred_at=at)


def offered(session: Session, *, sip_call_id: str, kind: CallKind, device_code: str | None, caller: str | None,
            location: tuple[float, float] | None, codec: str | None, at: datetime,
            escalate_after: timedelta = DEFAULT_ESCALATE_AFTER, simulated: bool = False,
            callback_of: int | None = None, ctx: Context | None = None) -> VoiceCall:
    """A new call rings on the desks (`voice.call_ringing`); offering the same SIP call again returns it as is.

    ``location`` is (lon, lat); for a known terminal without one, the registry's position is used.
    """
    at = as_utc(at)
    kind = _member(CallKind, kind, "voice.unknown_kind")
    existing = by_sip_call_id(session, sip_call_id)
    if existing is not None:
        return existing
    device_id, lon, lat = None, None, None
    if location is not None:
        lon, lat = location
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise ValidationFailed("voice.bad_location", params={"lon": lon, "lat": lat})
    code = device_code.strip().upper() if device_code else None
    if code is not None:
        try:
            device = device_service.get(session, code)
        except NotFound:
            device = None  # an unregistered terminal still rings: the operator must hear it
        if device is not None:
            device_id = device.id
            if location is None:
                lon, lat = device.lon, device.lat
    # An outgoing callback is the operator's own call: it does not wait in the queue.
    outgoing = kind is CallKind.CALLBACK
    call = VoiceCall(
        kind=str(kind), state=str(CallState.RINGING), sip_call_id=sip_call_id, device_id=device_id,
        device_code=code, caller=caller.strip() if caller else None, lon=lon, lat=lat, codec=codec,
        offered_at=at, waiting_since=None if outgoing else at, escalate_at=None if outgoing else at + escalate_after,
        escalation_level=0, held=False, muted=False, recording_deleted=False, kept=False, problems={},
        simulated=simulated, callback_of_id=callback_of, updated_at=at)
    session.add(call)
    session.flush()
    announce(session, events.RINGING, call, ctx, at)
    return call


def media_started(session: Session, *, call_id: int, at: datetime) -> VoiceCall:
    """RTP flows for the call (first packet seen); recorded once. A callback its operator has joined is answered
    now (`voice.call_answered`): the far end picked up."""
    call = get(session, call_id)
    if call.media_started_at is None:
        call.media_started_at = call.updated_at = as_utc(at)
        if call.kind == CallKind.CALLBACK and call.state == CallState.RINGING and call.answered_by_id is not None:
            call.state, call.answered_at = str(CallState.ANSWERED), as_utc(at)
            announce(session, events.ANSWERED, call, None, as_utc(at))
    return call


def ended(session: Session, *, call_id: int, reason: EndReason, at: datetime,
          ctx: Context | None = None) -> VoiceCall:
    """The call ended (`voice.call_ended`); ending it again changes nothing."""
    reason = _member(EndReason, reason, "voice.unknown_end_reason")
    call = get(session, call_id)
    if call.state == CallState.ENDED:
        return call
    at = as_utc(at)
    if reason is EndReason.CALLER_HUNG_UP and call.answered_at is None and call.kind != CallKind.CALLBACK:
        reason = EndReason.UNANSWERED  # the caller gave up waiting: the figures count it as unanswered
    call.state, call.end_reason, call.ended_at, call.updated_at = str(CallState.ENDED), str(reason), at, at
    call.escalate_at, call.leg_id, call.waiting_since = None, None, None
    announce(session, events.ENDED, call, ctx, at)
    return call


def recording_stored(session: Session, *, call_id: int, path: str, sha256: str, duration_s: float,
                     media_type: str, size: int) -> VoiceCall:
    """The recorder closed the call's audio file (``path`` relative to the recordings root)."""
    call = get(session, call_id)
    if path.startswith("/") or ".." in path.split("/") or "\\" in path:
        raise ValidationFailed("voice.bad_recording_path", params={"path": path})
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256.lower()):
        raise ValidationFailed("voice.bad_recording_hash")
    if duration_s < 0 or size < 0:
        raise ValidationFailed("voice.bad_recording_size")
    call.recording_path, call.recording_sha256 = path, sha256.lower()
    call.recording_duration_s, call.recording_size, call.recording_media_type = duration_s, size, media_type
    call.recording_deleted = False
    return call


def media_problem(session: Session, *, call_id: int, problem: str, count: int,
                  ctx: Context | None = None) -> VoiceCall:
    """The voice process counted a media problem; published (`voice.call_problem`) when the count grows."""
    name = str(_member(MediaProblem, problem, "voice.unknown_problem"))
    call = get(session, call_id)
    counts = dict(call.problems or {})
    if int(counts.get(name, 0)) >= count:
        return call
    counts[name] = count
    call.problems = counts  # a new dict: JSON columns do not track in-place changes
    ctx = (ctx or Context.system("voice")).model_copy(update={"simulated": call.simulated})
    publish(session, events.PROBLEM, subject_id=str(call.id),
            payload=CallProblem(call_id=call.id, state=call.state, problem=name, count=count), ctx=ctx)
    return call


def requeue(call: VoiceCall, *, at: datetime, escalate_after: timedelta) -> None:
    """Back in the queue, on hold, nobody's: it rings for every operator and escalates if left waiting."""
    call.state, call.held, call.leg_id = str(CallState.QUEUED), True, None
    call.answered_by_id = call.answered_by_name = None
    call.transfer_to_id = call.transfer_to_name = None
    call.waiting_since, call.escalate_at, call.updated_at = at, at + escalate_after, at


def leg_closed(session: Session, *, call_id: int, leg_id: str, at: datetime,
               escalate_after: timedelta = DEFAULT_ESCALATE_AFTER, ctx: Context | None = None) -> VoiceCall:
    """The voice process lost an operator's browser (no `leave` came): the call waits on hold for anyone
    (`voice.call_ringing`, state queued). A leg already replaced (transfer, take-over) changes nothing."""
    call = get(session, call_id)
    if call.leg_id != leg_id or call.state not in (CallState.ANSWERED, CallState.HELD, CallState.TRANSFERRING):
        return call
    requeue(call, at=as_utc(at), escalate_after=escalate_after)
    announce(session, events.RINGING, call, ctx, as_utc(at))
    return call


def active(session: Session) -> list[VoiceCall]:
    """Calls not ended, oldest first."""
    return list(session.scalars(select(VoiceCall).where(VoiceCall.state.in_(ACTIVE_VALUES))
                                .order_by(VoiceCall.offered_at, VoiceCall.id)))
