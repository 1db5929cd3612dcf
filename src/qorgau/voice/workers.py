"""The voice domain's periodic jobs, run by the server: escalation of waiting calls, recordings' retention."""

from __future__ import annotations

from datetime import timedelta

from qorgau.core.db import Database
from qorgau.core.settings import CoreSettings
from qorgau.core.time import utcnow
from qorgau.core.workers import Periodic
from qorgau.voice import escalation, retention
from qorgau.voice.config import VoiceSettings


def periodic(settings: CoreSettings, db: Database) -> list[Periodic]:
    part = settings.part(VoiceSettings)
    return [Periodic("voice-escalation", part.voice_check_seconds, lambda: escalate_database(db, part)),
            Periodic("voice-retention", part.voice_retention_check_seconds, lambda: retention_database(db, part))]


def escalate_database(db: Database, settings: VoiceSettings) -> int:
    """One pass in batches of their own transactions."""
    every, total = timedelta(seconds=settings.voice_escalate_after_s), 0
    while True:
        with db.unit_of_work() as session:
            found = escalation.escalate_due(session, utcnow(), every=every)
        total += len(found)
        if len(found) < escalation.BATCH:
            return total


def retention_database(db: Database, settings: VoiceSettings) -> retention.Pass:
    """Delete every expired recording, in batches of their own transactions."""
    deleted = failed = 0
    while True:
        with db.unit_of_work() as session:
            done = retention.delete_expired(session, root=settings.voice_recordings_dir, now=utcnow(),
                                            keep_days=settings.voice_recordings_keep_days)
        deleted, failed = deleted + done.deleted, failed + done.failed
        if done.deleted + done.failed < retention.BATCH or done.deleted == 0:
            return retention.Pass(deleted=deleted, failed=failed)
