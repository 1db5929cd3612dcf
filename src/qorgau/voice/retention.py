"""Retention of call recordings: a recording is deleted a number of days after its call ended, unless the call is
linked to an incident or its recording is marked kept; each deletion is audited.

The file goes first, then the row is marked in the same transaction as the audit record: a failed commit leaves
a row the next pass marks again (deleting a missing file is not an error), never a file the log says is gone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from qorgau.audit import service as audit
from qorgau.voice.enums import CallState, VoiceAction
from qorgau.voice.models import VoiceCall

log = logging.getLogger(__name__)
BATCH = 200
ACTOR = audit.Actor(ref="system:voice.retention")


@dataclass(frozen=True)
class Pass:
    """What one pass did: recordings deleted, and those whose file could not be removed (left for the next)."""

    deleted: int
    failed: int


def expired(session: Session, *, now: datetime, keep_days: int, limit: int = BATCH) -> list[VoiceCall]:
    """Ended calls whose recording outlived the keeping period and is neither kept nor tied to an incident."""
    return list(session.scalars(select(VoiceCall).where(
        VoiceCall.recording_deleted.is_(False), VoiceCall.recording_path.is_not(None),
        VoiceCall.state == CallState.ENDED, VoiceCall.ended_at < now - timedelta(days=keep_days),
        VoiceCall.kept.is_(False), VoiceCall.incident_id.is_(None))
        .order_by(VoiceCall.ended_at, VoiceCall.id).limit(limit)))


def _remove(root: Path, relative: str) -> bool:
    base = root.resolve()
    path = (base / relative).resolve()
    if not path.is_relative_to(base):  # a stored path never leaves the root; refuse to delete outside it
        log.error("voice recording path outside the recordings root refused")
        return False
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("voice recording not deleted (%s); retried next pass", type(exc).__name__)
        return False
    return True


def delete_expired(session: Session, *, root: Path, now: datetime, keep_days: int, limit: int = BATCH) -> Pass:
    """Delete one batch of expired recordings (file, then the row marked and the deletion audited)."""
    deleted = failed = 0
    for call in expired(session, now=now, keep_days=keep_days, limit=limit):
        path = call.recording_path or ""
        if not _remove(root, path):
            failed += 1
            continue
        call.recording_deleted, call.updated_at = True, now
        audit.record(session, action=VoiceAction.RECORDING_DELETE, actor=ACTOR, target_type="voice_call",
                     target_id=str(call.id), details={"path": path, "sha256": call.recording_sha256,
                                                       "size": call.recording_size, "keep_days": keep_days})
        deleted += 1
    return Pass(deleted=deleted, failed=failed)
