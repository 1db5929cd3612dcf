"""A backup taken while events and audit records are written restores onto a fresh place, consistent and verifiable."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from qorgau.audit import service as audit_service
from qorgau.audit.models import AuditRecord
from qorgau.audit.signing import anchor_path, load_signer
from qorgau.backup.sealed import BackupError, Secret
from qorgau.backup.service import create_backup, read_manifest, restore_backup
from qorgau.core.bus import Context, publish
from qorgau.core.bus.models import OutboxEvent
from qorgau.core.db import Database
from qorgau.settings import Settings
from tests.conftest import CLI_ACTOR, _pg_admin, _sa_url, make_user
from tests.core.bus.events_for_tests import PROBE, Probe

PASSPHRASE = "a long backup passphrase"


class Writer(threading.Thread):
    """Commits an event and an audit record per transaction, and signs a checkpoint after every tenth, until
    stopped."""

    def __init__(self, db: Database, settings: Settings) -> None:
        super().__init__(name="backup-writer", daemon=True)
        self.db, self.settings = db, settings
        self.committed = 0
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        signer, anchors = load_signer(self.settings), anchor_path(self.settings)
        try:
            while not self.stop.is_set():
                with self.db.unit_of_work() as session:
                    publish(session, PROBE, subject_id="w", payload=Probe(n=self.committed), ctx=Context.system("t"))
                    audit_service.record(session, action="test.write", actor=CLI_ACTOR,
                                         details={"n": self.committed})
                if self.committed % 10 == 0:  # in a transaction of its own, as the server's periodic job signs
                    with self.db.unit_of_work() as session:
                        audit_service.checkpoint(session, signer, anchors)
                self.committed += 1
        except BaseException as exc:  # reported by the test, not lost in the thread
            self.error = exc

    def wait_for(self, count: int, deadline_s: float = 15.0) -> None:
        end = time.monotonic() + deadline_s
        while self.committed < count:
            assert time.monotonic() < end, f"the writer committed only {self.committed}"
            assert self.error is None, self.error
            time.sleep(0.01)


@pytest.fixture
def fresh(tmp_path: Path, settings: Settings) -> Iterator[Settings]:
    """Settings of an empty place of the same kind: a new data directory, and a new empty PostgreSQL database."""
    if settings.effective_database_url.startswith("sqlite"):
        yield Settings(data_dir=tmp_path / "restored", log_json=False, web_dist=tmp_path / "no-web")
        return
    name = f"qorgau_r_{uuid.uuid4().hex[:10]}"
    with _pg_admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield Settings(data_dir=tmp_path / "restored", database_url=_sa_url(name), log_json=False,
                       web_dist=tmp_path / "no-web")
    finally:
        with _pg_admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _rows(db: Database) -> tuple[list[tuple[int, uuid.UUID]], list[tuple[int, str]]]:
    with db.reading() as session:
        events = [(r.seq, r.id) for r in session.execute(select(OutboxEvent.seq, OutboxEvent.id)
                                                         .order_by(OutboxEvent.seq))]
        audit = [(r.seq, r.hash) for r in session.execute(select(AuditRecord.seq, AuditRecord.hash)
                                                          .order_by(AuditRecord.seq))]
    return events, audit


def test_backup_while_writing_restores_a_consistent_verifiable_copy(
    db: Database, settings: Settings, fresh: Settings, tmp_path: Path
) -> None:
    make_user(db, "admin", "admin")
    writer = Writer(db, settings)
    writer.start()
    try:
        writer.wait_for(30)
        before = writer.committed
        manifest = create_backup(settings, tmp_path / "site.qbk", Secret(passphrase=PASSPHRASE))
        during = writer.committed - before
        writer.wait_for(writer.committed + 5)  # the system kept running after the snapshot
    finally:
        writer.stop.set()
        writer.join(10)
    assert writer.error is None, writer.error
    assert during > 0, "nothing was written while the backup ran: the test proved no consistency"

    restored = restore_backup(fresh, tmp_path / "site.qbk", Secret(passphrase=PASSPHRASE))
    assert restored.counts == manifest.counts
    copy = Database(fresh.effective_database_url)
    try:
        events, audit = _rows(copy)
        with copy.reading() as session:
            report = audit_service.verify(session, load_signer(fresh), anchor_path(fresh))
    finally:
        copy.dispose()
    assert report.ok, report.problems
    assert report.checkpoints >= 1
    assert len(events) == manifest.counts["events"] >= 30 and len(audit) == manifest.counts["audit_log"]
    # Consistent: the copy is exactly the source as of one moment (a prefix of each log, nothing torn).
    source_events, source_audit = _rows(db)
    assert source_events[: len(events)] == events and len(source_events) > len(events)
    assert source_audit[: len(audit)] == audit
    assert (fresh.keys_dir / "master.key").read_bytes() == (settings.keys_dir / "master.key").read_bytes()


def test_restore_refuses_a_wrong_secret_damage_and_an_occupied_place(
    db: Database, settings: Settings, tmp_path: Path
) -> None:
    make_user(db, "admin", "admin")
    archive = tmp_path / "site.qbk"
    create_backup(settings, archive, Secret(passphrase=PASSPHRASE))
    with pytest.raises(BackupError) as wrong:
        read_manifest(archive, Secret(passphrase="another passphrase"))
    assert wrong.value.code == "backup.wrong_key"
    with pytest.raises(BackupError) as kind:
        read_manifest(archive, Secret(key=b"k" * 32))
    assert kind.value.code == "backup.needs_passphrase"

    raw = archive.read_bytes()
    flipped = tmp_path / "flipped.qbk"
    flipped.write_bytes(raw[:200] + bytes([raw[200] ^ 1]) + raw[201:])
    truncated = tmp_path / "truncated.qbk"
    truncated.write_bytes(raw[:-40])
    for broken in (flipped, truncated):
        with pytest.raises(BackupError) as damaged:
            read_manifest(broken, Secret(passphrase=PASSPHRASE))
        assert damaged.value.code == "backup.damaged"

    with pytest.raises(BackupError) as occupied:  # the live installation itself is no fresh place
        restore_backup(settings, archive, Secret(passphrase=PASSPHRASE))
    assert occupied.value.code == "backup.target_not_empty"
    with db.reading() as session:
        assert session.scalar(select(AuditRecord.seq).order_by(AuditRecord.seq.desc()).limit(1)) is not None


def test_restore_refuses_a_newer_schema(
    db: Database, settings: Settings, fresh: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qorgau.backup import snapshot

    real_sqlite, real_pg = snapshot.dump_sqlite, snapshot.dump_postgres

    def future(real: object) -> object:
        def dump(url: str, target: Path) -> snapshot.Snapshot:
            taken: snapshot.Snapshot = real(url, target)  # type: ignore[operator]
            return snapshot.Snapshot("9999_from_a_newer_qorgau", taken.counts)
        return dump

    monkeypatch.setattr(snapshot, "dump_sqlite", future(real_sqlite))
    monkeypatch.setattr(snapshot, "dump_postgres", future(real_pg))
    create_backup(settings, tmp_path / "future.qbk", Secret(key=b"k" * 32))
    with pytest.raises(BackupError) as newer:
        restore_backup(fresh, tmp_path / "future.qbk", Secret(key=b"k" * 32))
    assert newer.value.code == "backup.newer_schema"
    assert not (fresh.keys_dir / "master.key").exists()  # refused before anything was written
