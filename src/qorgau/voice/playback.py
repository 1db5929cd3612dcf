"""Call recordings' playback: the file of a call under the recordings root, and the audit of who listened.

A browser fetches audio in several Range requests; the one that starts playback (no Range, or from byte 0) is
audited, and a later part is audited too unless the same user's playback of the call was audited within the
hour, so seeking cannot listen unrecorded and the log does not fill with one record per part.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from qorgau.audit import service as audit
from qorgau.audit.models import AuditRecord
from qorgau.core.errors import NotFound
from qorgau.voice import service
from qorgau.voice.enums import VoiceAction

RECENT = timedelta(hours=1)
_RANGE_START = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-")


def starts_playback(range_header: str | None) -> bool:
    """Whether the request starts from the beginning (no Range, or a Range from byte 0)."""
    if not range_header:
        return True
    match = _RANGE_START.match(range_header)
    return match is None or match.group(1) in ("", "0")


def file_of(root: Path, relative: str) -> Path:
    """The recording's file, refused if its stored path would leave the recordings root."""
    base = root.resolve()
    path = (base / relative).resolve()
    if not path.is_relative_to(base) or not path.is_file():
        raise NotFound("voice.recording_missing")
    return path


def _recently_audited(session: Session, *, actor: str, call_id: int, now: datetime) -> bool:
    return session.scalar(select(AuditRecord.seq).where(
        AuditRecord.action == str(VoiceAction.RECORDING_PLAY), AuditRecord.actor == actor,
        AuditRecord.target_id == str(call_id), AuditRecord.at > now - RECENT).limit(1)) is not None


def open_for(session: Session, *, call_id: int, root: Path, actor: audit.Actor, range_header: str | None,
             now: datetime) -> tuple[Path, str]:
    """The recording's path and media type for ``actor``, audited as a playback; 404 when there is none."""
    call = service.get(session, call_id)
    if not call.recording_path or call.recording_deleted:
        raise NotFound("voice.recording_missing")
    path = file_of(root, call.recording_path)
    if starts_playback(range_header) or not _recently_audited(session, actor=actor.ref, call_id=call.id, now=now):
        audit.record(session, action=VoiceAction.RECORDING_PLAY, actor=actor, target_type="voice_call",
                     target_id=str(call.id), details={"range": (range_header or "")[:64],
                                                       "sha256": call.recording_sha256})
    return path, call.recording_media_type or "application/octet-stream"
