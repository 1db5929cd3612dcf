"""Retention of call recordings on SQLite and PostgreSQL: expired ones deleted and audited; kept, incident-linked,
recent and still active ones stay; a stored path outside the root is never followed."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

from qorgau.core.db import Database
from qorgau.settings import Settings
from qorgau.voice import retention, service, workers
from qorgau.voice.config import VoiceSettings
from qorgau.voice.enums import EndReason
from tests.voice.domain_support import T0, audits, call_of, later, offer

KEEP = 30


def recorded(db: Database, root: Path, *, ended_days_ago: float | None, name: str) -> int:
    """A call with a recording on disk, ended that many days before T0 (None: still going)."""
    call_id = offer(db, at=T0 - timedelta(days=ended_days_ago or 0, minutes=5))
    audio = name.encode() * 100
    (root / f"{name}.ogg").write_bytes(audio)
    with db.unit_of_work() as session:
        service.recording_stored(session, call_id=call_id, path=f"{name}.ogg",
                                 sha256=hashlib.sha256(audio).hexdigest(), duration_s=3.0, media_type="audio/ogg",
                                 size=len(audio))
        if ended_days_ago is not None:
            service.ended(session, call_id=call_id, reason=EndReason.CALLER_HUNG_UP,
                          at=T0 - timedelta(days=ended_days_ago))
    return call_id


def test_expired_recordings_go_the_rest_stay(db: Database, tmp_path: Path) -> None:
    root = tmp_path / "recordings"
    root.mkdir()
    old = recorded(db, root, ended_days_ago=31, name="old")
    kept = recorded(db, root, ended_days_ago=40, name="kept")
    evidence = recorded(db, root, ended_days_ago=50, name="evidence")
    recent = recorded(db, root, ended_days_ago=29, name="recent")
    recorded(db, root, ended_days_ago=None, name="going")
    with db.unit_of_work() as session:
        service.get(session, kept).kept = True
        service.get(session, evidence).incident_id = 7
    with db.unit_of_work() as session:
        done = retention.delete_expired(session, root=root, now=T0, keep_days=KEEP)
    assert (done.deleted, done.failed) == (1, 0)
    assert sorted(p.stem for p in root.iterdir()) == ["evidence", "going", "kept", "recent"]
    assert call_of(db, old).recording_deleted and not call_of(db, recent).recording_deleted
    (record,) = audits(db, "voice.recording_delete")
    assert (record.actor, record.target_id, record.details["path"], record.details["keep_days"]) == (
        "system:voice.retention", str(old), "old.ogg", KEEP)
    with db.unit_of_work() as session:  # a second pass finds nothing more
        assert retention.delete_expired(session, root=root, now=T0, keep_days=KEEP).deleted == 0


def test_a_path_outside_the_root_is_refused_and_the_row_kept(db: Database, tmp_path: Path) -> None:
    root = tmp_path / "recordings"
    root.mkdir()
    outside = tmp_path / "precious.txt"
    outside.write_text("not a recording")
    call_id = recorded(db, root, ended_days_ago=60, name="x")
    with db.unit_of_work() as session:  # a row changed behind the service's back
        service.get(session, call_id).recording_path = "../precious.txt"
    with db.unit_of_work() as session:
        done = retention.delete_expired(session, root=root, now=T0, keep_days=KEEP)
    assert (done.deleted, done.failed) == (0, 1)
    assert outside.exists() and not call_of(db, call_id).recording_deleted


def test_the_periodic_job_uses_the_settings_root_and_days(db: Database, settings: Settings) -> None:
    part = settings.part(VoiceSettings)
    part.voice_recordings_dir.mkdir(parents=True)
    call_id = offer(db, at=later(0))
    (part.voice_recordings_dir / "a.ogg").write_bytes(b"OggS")
    with db.unit_of_work() as session:
        service.recording_stored(session, call_id=call_id, path="a.ogg", sha256="0" * 64, duration_s=1.0,
                                 media_type="audio/ogg", size=4)
        service.ended(session, call_id=call_id, reason=EndReason.CALLER_HUNG_UP, at=later(10))
        service.get(session, call_id).ended_at = later(10) - timedelta(days=part.voice_recordings_keep_days + 400)
    assert workers.retention_database(db, part) == retention.Pass(deleted=1, failed=0)
    assert not (part.voice_recordings_dir / "a.ogg").exists()
    assert [p.name for p in workers.periodic(settings, db)] == ["voice-escalation", "voice-retention"]
