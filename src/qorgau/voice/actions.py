"""Operators' actions on a call in the database: the race-safe claim, hold, mute, transfer, leave, hang-up, links.

Each function runs in the caller's transaction and never commits; the views call the voice process between
transactions (a claim is committed before the bridge is asked, and undone when the bridge refuses).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, false, or_, update
from sqlalchemy.orm import Session

from qorgau.audit import service as audit
from qorgau.core.bus import Context
from qorgau.core.errors import Conflict, QorgauError
from qorgau.incidents import service as incident_service
from qorgau.voice import events, service
from qorgau.voice.enums import CallKind, CallState, EndReason, VoiceAction
from qorgau.voice.models import VoiceCall

S = CallState


@dataclass(frozen=True)
class Operator:
    """Who acts: the user, their name for the desks, and where the request came from (audit)."""

    user_id: int
    name: str
    actor: audit.Actor
    ctx: Context


@dataclass(frozen=True)
class Claim:
    """A won claim and the call's columns before it, so a refused bridge can put them back."""

    call_id: int
    user_id: int
    before: dict[str, Any]


_CLAIM_COLUMNS = ("state", "answered_by_id", "answered_by_name", "transfer_to_id", "transfer_to_name",
                  "answered_at", "waiting_since", "escalate_at", "held", "leg_id")


def _rows(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def _person(user_id: int | None, name: str | None) -> dict[str, Any] | None:
    return None if user_id is None else {"id": user_id, "name": name}


def _refused(call: VoiceCall, user_id: int) -> QorgauError:
    """Why a claim lost: the call ended, or someone else has it (409 with who)."""
    if call.state == S.ENDED:
        return Conflict("voice.call_ended", params={"id": call.id})
    if call.state == S.TRANSFERRING and call.transfer_to_id not in (None, user_id):
        holder = _person(call.transfer_to_id, call.transfer_to_name)
    else:
        holder = _person(call.answered_by_id, call.answered_by_name)
    return Conflict("voice.call_taken", params={"id": call.id, "by": (holder or {}).get("name") or "-"},
                    extra={"by": holder})


def claim(session: Session, *, call_id: int, op: Operator, at: datetime, take_over: bool = False) -> Claim:
    """Take the call for ``op`` with one conditional UPDATE: of two operators answering at once, one wins.

    Free calls (ringing or queued, nobody's) go to anyone; a call being transferred to ``op`` goes to ``op``; the
    operator who has the call may take it again (their page reloaded, or they take back a transfer). With
    ``take_over`` (a supervisor's), a call another operator has is taken too.
    """
    call = service.get(session, call_id)
    before = {name: getattr(call, name) for name in _CLAIM_COLUMNS}
    mine = VoiceCall.answered_by_id == op.user_id
    # A callback ringing out is its operator's from the start (the web server marks it just after the voice
    # process records it): never free for another desk in between.
    free = and_(VoiceCall.answered_by_id.is_(None), or_(
        VoiceCall.state == S.QUEUED, and_(VoiceCall.state == S.RINGING, VoiceCall.kind != CallKind.CALLBACK)))
    to_me = and_(VoiceCall.state == S.TRANSFERRING, VoiceCall.transfer_to_id == op.user_id)
    again = and_(mine, VoiceCall.state.in_((S.RINGING, S.ANSWERED, S.HELD, S.TRANSFERRING)))
    taken = VoiceCall.state.in_((S.ANSWERED, S.HELD, S.TRANSFERRING)) if take_over else false()
    outgoing = call.kind == CallKind.CALLBACK and call.media_started_at is None
    won = _rows(session.execute(
        update(VoiceCall).where(VoiceCall.id == call_id, or_(free, to_me, again, taken))
        .values(state=str(S.RINGING if outgoing else S.ANSWERED), answered_by_id=op.user_id,
                answered_by_name=op.name, transfer_to_id=None, transfer_to_name=None,
                answered_at=call.answered_at or (None if outgoing else at), waiting_since=None, escalate_at=None,
                held=False, updated_at=at)
        .execution_options(synchronize_session=False)))
    session.refresh(call)
    if not won:
        raise _refused(call, op.user_id)
    return Claim(call_id=call_id, user_id=op.user_id, before=before)


def undo_claim(session: Session, *, claim_: Claim, at: datetime) -> bool:
    """Put the call back as it was before the claim, if it is still that operator's and not ended."""
    values = dict(claim_.before, updated_at=at)
    undone = _rows(session.execute(
        update(VoiceCall).where(VoiceCall.id == claim_.call_id, VoiceCall.answered_by_id == claim_.user_id,
                                VoiceCall.state != S.ENDED)
        .values(**values).execution_options(synchronize_session=False)))
    return undone > 0


def attached(session: Session, *, call_id: int, op: Operator, leg_id: str, at: datetime,
             claim_: Claim | None = None) -> VoiceCall:
    """The bridge attached the operator's browser: the call is answered (`voice.call_answered`), audited (a
    take-over with whom it was taken from)."""
    call = service.get(session, call_id)
    call.leg_id, call.updated_at = leg_id, at
    previous = claim_.before.get("answered_by_id") if claim_ is not None else None
    action = VoiceAction.TAKE_OVER if previous not in (None, op.user_id) else VoiceAction.ANSWER
    details = {"kind": call.kind, "device_code": call.device_code}
    if action is VoiceAction.TAKE_OVER:
        details["from_user_id"] = previous
    audit.record(session, action=action, actor=op.actor, target_type="voice_call", target_id=str(call.id),
                 details=details)
    service.announce(session, events.ANSWERED, call, op.ctx, at)
    return call


def handled_by(session: Session, *, call_id: int, op: Operator, states: tuple[CallState, ...]) -> VoiceCall:
    """The call, if ``op`` handles it and it is in one of ``states`` (409 otherwise)."""
    call = service.get(session, call_id)
    if call.state == S.ENDED:
        raise Conflict("voice.call_ended", params={"id": call.id})
    if call.answered_by_id != op.user_id:
        raise _refused(call, op.user_id) if call.answered_by_id is not None else Conflict(
            "voice.not_yours", params={"id": call.id})
    if call.state not in states:
        raise Conflict("voice.bad_state", params={"id": call.id, "state": call.state})
    return call


def hold(session: Session, *, call_id: int, op: Operator, on: bool, at: datetime) -> VoiceCall:
    """Hold on (`voice.call_held`) or off (`voice.call_answered`); the call stays the operator's."""
    call = handled_by(session, call_id=call_id, op=op, states=(S.ANSWERED, S.HELD))
    call.held, call.state, call.updated_at = on, str(S.HELD if on else S.ANSWERED), at
    audit.record(session, action=VoiceAction.HOLD, actor=op.actor, target_type="voice_call",
                 target_id=str(call.id), details={"on": on})
    service.announce(session, events.HELD if on else events.ANSWERED, call, op.ctx, at)
    return call


def mute(session: Session, *, call_id: int, op: Operator, on: bool, at: datetime) -> VoiceCall:
    """The operator's microphone muted or not (the caller still heard and recorded)."""
    call = handled_by(session, call_id=call_id, op=op, states=(S.ANSWERED, S.HELD))
    call.muted, call.updated_at = on, at
    audit.record(session, action=VoiceAction.MUTE, actor=op.actor, target_type="voice_call",
                 target_id=str(call.id), details={"on": on})
    return call


def transfer(session: Session, *, call_id: int, op: Operator, to_user_id: int, to_name: str, at: datetime,
             escalate_after: timedelta) -> VoiceCall:
    """Hand the call to another operator on duty (`voice.call_transferred`); the caller stays with ``op`` until
    the target answers, and the call escalates if the target does not."""
    call = handled_by(session, call_id=call_id, op=op, states=(S.ANSWERED, S.HELD))
    if to_user_id == op.user_id:
        raise QorgauError("voice.transfer_to_self", status=422)
    call.state, call.transfer_to_id, call.transfer_to_name = str(S.TRANSFERRING), to_user_id, to_name
    call.waiting_since, call.escalate_at, call.updated_at = at, at + escalate_after, at
    audit.record(session, action=VoiceAction.TRANSFER, actor=op.actor, target_type="voice_call",
                 target_id=str(call.id), details={"to_user_id": to_user_id})
    service.announce(session, events.TRANSFERRED, call, op.ctx, at)
    return call


def leave(session: Session, *, call_id: int, op: Operator, at: datetime, escalate_after: timedelta) -> VoiceCall:
    """The operator's browser left: the call waits on hold for anyone (`voice.call_ringing`, state queued)."""
    call = handled_by(session, call_id=call_id, op=op, states=(S.ANSWERED, S.HELD, S.TRANSFERRING))
    service.requeue(call, at=at, escalate_after=escalate_after)
    audit.record(session, action=VoiceAction.LEAVE, actor=op.actor, target_type="voice_call",
                 target_id=str(call.id))
    service.announce(session, events.RINGING, call, op.ctx, at)
    return call


def hung_up(session: Session, *, call_id: int, op: Operator, at: datetime) -> VoiceCall:
    """The operator hung up: the call ends (`voice.call_ended`), audited."""
    call = handled_by(session, call_id=call_id, op=op, states=(S.RINGING, S.ANSWERED, S.HELD, S.TRANSFERRING))
    audit.record(session, action=VoiceAction.HANGUP, actor=op.actor, target_type="voice_call",
                 target_id=str(call.id))
    return service.ended(session, call_id=call.id, reason=EndReason.OPERATOR_HUNG_UP, at=at, ctx=op.ctx)


def callback_started(session: Session, *, original: VoiceCall, new_call_id: int, op: Operator,
                     at: datetime) -> VoiceCall:
    """The voice process placed the callback: it is ``op``'s own call, tied to the original and its links."""
    call = service.get(session, new_call_id)
    call.callback_of_id, call.updated_at = original.id, at
    call.answered_by_id, call.answered_by_name = op.user_id, op.name
    call.waiting_since = call.escalate_at = None
    call.incident_id = call.incident_id or original.incident_id
    call.alarm_id = call.alarm_id or original.alarm_id
    audit.record(session, action=VoiceAction.CALLBACK, actor=op.actor, target_type="voice_call",
                 target_id=str(original.id), details={"callback_call_id": call.id, "kind": original.kind})
    service.announce(session, events.RINGING, call, op.ctx, at)  # the desks learn whose outgoing call it is
    return call


def link_incident(session: Session, *, call_id: int, incident_id: int, op: Operator, at: datetime) -> VoiceCall:
    """Link the call to an incident (e.g. the one the 102 intake opened from it); audited."""
    call = service.get(session, call_id)
    incident = incident_service.get(session, incident_id)
    call.incident_id, call.updated_at = incident.id, at
    audit.record(session, action=VoiceAction.LINK_INCIDENT, actor=op.actor, target_type="voice_call",
                 target_id=str(call.id), details={"incident_id": incident.id})
    return call


def keep(session: Session, *, call_id: int, op: Operator, kept: bool, reason: str, at: datetime) -> VoiceCall:
    """Keep the recording past the retention period (evidence), or let it expire again; audited with reason."""
    call = service.get(session, call_id)
    call.kept, call.updated_at = kept, at
    audit.record(session, action=VoiceAction.KEEP, actor=op.actor, target_type="voice_call",
                 target_id=str(call.id), details={"kept": kept, "reason": reason})
    return call
