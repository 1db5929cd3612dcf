"""Calls as the desks read them (site, cameras, masked caller, media figures) and the operators on duty."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qorgau.auth.enums import Permission, Role, permissions_of
from qorgau.auth.models import User, WebSession
from qorgau.core.db import Database
from qorgau.core.time import as_utc
from qorgau.core.translit import english
from qorgau.devices import places as device_places
from qorgau.devices.models import Device, Site
from qorgau.voice.control import CallMedia
from qorgau.voice.enums import ACTIVE_STATES, CallState
from qorgau.voice.models import VoiceCall
from qorgau.voice.schemas import CallRead, MediaProblems, MediaRead, OperatorRead, PersonRef, RecordingRead, SiteRef

CAMERAS = 4  # the terminal's site's cameras first, then those that see it
ON_DUTY_SEEN = timedelta(minutes=15)  # a desk polls and its websocket keeps the session seen
ANSWERING_ROLES = tuple(str(r) for r in Role if Permission.VOICE_ANSWER in permissions_of(r))


def mask(number: str | None) -> str | None:
    """A phone number shown by its last 4 digits only."""
    if not number:
        return number
    digits = [c for c in number if c.isdigit()]
    return "***" + "".join(digits[-4:])


def _person(user_id: int | None, name: str | None) -> PersonRef | None:
    return None if user_id is None else PersonRef(id=user_id, name=name)


def _site_name(site: Site, language: str) -> str:
    if language == "kk":
        return site.name_kk
    if language == "en":
        return english(site.name_en, site.name_ru, site.name_kk)
    return site.name_ru


def _media(call: VoiceCall, live: CallMedia | None) -> MediaRead | None:
    counts = {k: int(v) for k, v in (call.problems or {}).items() if k in MediaProblems.model_fields}
    if live is not None:
        merged = {k: max(counts.get(k, 0), int(v)) for k, v in live.problems.model_dump().items()}
        return MediaRead(rx_packets=live.rx_packets, lost=live.lost, late=live.late, jitter_ms=live.jitter_ms,
                         problems=MediaProblems(**merged))
    return MediaRead(problems=MediaProblems(**counts)) if counts else None


def waited_s(call: VoiceCall, now: datetime) -> float:
    """Seconds from the offer to the first answer, or to the end, or until now."""
    until = call.answered_at or call.ended_at or now
    return max(0.0, round((as_utc(until) - as_utc(call.offered_at)).total_seconds(), 1))


def present(session: Session, calls: list[VoiceCall], *, now: datetime, show_caller: bool, show_recording: bool,
            language: str = "ru", db: Database | None = None,
            live: dict[int, CallMedia] | None = None) -> list[CallRead]:
    """The calls as `CallRead`, with their devices' sites and cameras looked up once per device."""
    codes = {c.device_code for c in calls if c.device_code}
    devices = {d.code: d for d in session.scalars(select(Device).where(Device.code.in_(codes)))} if codes else {}
    site_ids = {d.site_id for d in devices.values() if d.site_id is not None}
    sites = {s.id: s for s in session.scalars(select(Site).where(Site.id.in_(site_ids)))} if site_ids else {}
    cameras: dict[str, list[str]] = {}
    out = []
    for call in calls:
        device = devices.get(call.device_code or "")
        site = sites.get(device.site_id) if device is not None and device.site_id is not None else None
        if device is not None and db is not None and device.code not in cameras:
            found = device_places.cameras_for(db, session, device.lon, device.lat, CAMERAS,
                                              site_code=site.code if site else None)
            cameras[device.code] = [c.code for c in found]
        recording = None
        if show_recording and call.recording_path and not call.recording_deleted:
            recording = RecordingRead(url=f"/api/voice/calls/{call.id}/recording",
                                      duration_s=call.recording_duration_s, media_type=call.recording_media_type)
        out.append(CallRead(
            id=call.id, kind=call.kind, state=call.state, device_code=call.device_code,
            device_id=device.id if device is not None else call.device_id,
            site=SiteRef(id=site.id, code=site.code, name=_site_name(site, language)) if site else None,
            lon=call.lon, lat=call.lat, caller=call.caller if show_caller else mask(call.caller),
            waited_s=waited_s(call, now), offered_at=call.offered_at, answered_at=call.answered_at,
            ended_at=call.ended_at, end_reason=call.end_reason,
            answered_by=_person(call.answered_by_id, call.answered_by_name),
            transfer_to=_person(call.transfer_to_id, call.transfer_to_name), alarm_id=call.alarm_id,
            incident_id=call.incident_id, camera_codes=cameras.get(call.device_code or "", []),
            media=_media(call, (live or {}).get(call.id)), recording=recording, held=call.held, muted=call.muted,
            escalation_level=call.escalation_level, callback_of=call.callback_of_id, kept=call.kept))
    return out


def calls(session: Session, *, active: bool, limit: int, before_id: int | None = None,
          incident_id: int | None = None) -> list[VoiceCall]:
    """An incident's calls in order; else active calls oldest first, or the latest calls first (``before_id``)."""
    if incident_id is not None:
        return list(session.scalars(select(VoiceCall).where(VoiceCall.incident_id == incident_id)
                                    .order_by(VoiceCall.offered_at, VoiceCall.id).limit(limit)))
    if active:
        return list(session.scalars(select(VoiceCall).where(VoiceCall.state.in_([str(s) for s in ACTIVE_STATES]))
                                    .order_by(VoiceCall.offered_at, VoiceCall.id).limit(limit)))
    query = select(VoiceCall).order_by(VoiceCall.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(VoiceCall.id < before_id)
    return list(session.scalars(query))


def on_duty(session: Session, *, now: datetime, simulated: bool = False) -> list[OperatorRead]:
    """Users who may answer calls and are signed in now (a live web session seen lately), with who is busy."""
    live = (select(WebSession.user_id).where(WebSession.expires_at > now, WebSession.last_seen_at > now - ON_DUTY_SEEN)
            .distinct())
    users = session.scalars(select(User).where(User.id.in_(live), User.is_active.is_(True),
                                               User.role.in_(ANSWERING_ROLES), User.simulated.is_(simulated))
                            .order_by(User.display_name, User.id)).all()
    busy: dict[Any, Any] = dict(session.execute(
        select(VoiceCall.answered_by_id, func.count()).where(
            VoiceCall.state.in_((CallState.ANSWERED, CallState.HELD)), VoiceCall.answered_by_id.is_not(None))
        .group_by(VoiceCall.answered_by_id)).all())
    return [OperatorRead(id=u.id, name=u.display_name, role=u.role, busy=bool(busy.get(u.id))) for u in users]


def operator(session: Session, user_id: int, *, now: datetime) -> OperatorRead | None:
    """The user if they may take a transfer now (on duty, allowed to answer), else None."""
    return next((o for o in on_duty(session, now=now) if o.id == user_id), None)
