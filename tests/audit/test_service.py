"""The audit chain: appending, append-only storage, signed checkpoints and tamper detection, on both databases.

An attacker with database access can switch the append-only triggers off; the tests do
exactly that and check that ``verify`` still notices what they did.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from qorgau.audit import service
from qorgau.audit.enums import Outcome
from qorgau.audit.models import GENESIS_HASH, AuditCheckpoint, AuditHead, AuditRecord
from qorgau.audit.signing import Signer, anchor_path, load_signer, read_anchors
from qorgau.core.db import Database
from qorgau.core.time import utcnow
from qorgau.settings import Settings
from tests.conftest import CLI_ACTOR


def _append(db: Database, count: int) -> list[AuditRecord]:
    rows = []
    with db.unit_of_work() as session:
        for index in range(count):
            rows.append(service.record(
                session, action="test.action", actor=CLI_ACTOR, target_type="thing", target_id=str(index),
                outcome=Outcome.SUCCESS if index % 2 else Outcome.FAILURE,
                details={"index": index, "note": "Қорғау — Қазақстан", "nested": {"list": [1, 2.5, None, True]}},
            ))
    return rows


def _verify(db: Database, settings: Settings) -> service.VerifyReport:
    with db.reading() as session:
        return service.verify(session, load_signer(settings), anchor_path(settings))


def _checkpoint(db: Database, settings: Settings) -> object:
    with db.unit_of_work() as session:
        return service.checkpoint(session, load_signer(settings), anchor_path(settings))


Statement = str | tuple[str, dict[str, Any]]


def _as_attacker(db: Database, *statements: Statement) -> None:
    """Switch the append-only triggers off (as someone with database access could) and run SQL."""
    with db.engine.begin() as conn:
        if db.is_sqlite:
            for table in ("audit_log", "audit_checkpoints"):
                for verb in ("update", "delete"):
                    conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_{verb}"))
        else:
            for table in ("audit_log", "audit_checkpoints"):
                conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only"))
        for statement in statements:
            sql, params = (statement, {}) if isinstance(statement, str) else statement
            conn.execute(text(sql), params)


def _head(db: Database) -> AuditHead:
    with db.reading() as session:
        head = session.get(AuditHead, 1)
        assert head is not None
        return head


def test_records_form_a_chain_that_verifies(db: Database, settings: Settings) -> None:
    written = _append(db, 5)
    with db.reading() as session:
        rows = list(session.scalars(select(AuditRecord).order_by(AuditRecord.seq)))
    assert [r.seq for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0].prev_hash == GENESIS_HASH
    assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(rows))
    assert [r.hash for r in rows] == [w.hash for w in written]
    assert rows[2].details == {"index": 2, "note": "Қорғау — Қазақстан", "nested": {"list": [1, 2.5, None, True]}}
    assert (rows[0].actor, rows[0].actor_name, rows[0].source) == ("system:test", "pytest", "test")
    head = _head(db)
    assert (head.seq, head.hash) == (5, rows[-1].hash)

    report = _verify(db, settings)
    assert report.ok, report.problems
    assert (report.records, report.checkpoints, report.first_broken_seq, report.missing_after_seq) == (5, 0, None, None)


def test_empty_log_verifies(db: Database, settings: Settings) -> None:
    report = _verify(db, settings)
    assert report.ok and report.records == 0
    assert _checkpoint(db, settings) is None


def test_checkpoints_are_signed_and_stored_in_the_database_and_the_anchor_file(
    db: Database, settings: Settings
) -> None:
    _append(db, 3)
    made = _checkpoint(db, settings)
    assert made is not None
    assert _checkpoint(db, settings) is None  # head unchanged: nothing new to sign
    _append(db, 2)
    assert _checkpoint(db, settings) is not None

    signer = load_signer(settings)
    anchored, unreadable = read_anchors(anchor_path(settings))
    assert unreadable == []
    assert [p.seq for p in anchored] == [3, 5]
    assert all(signer.valid(p) for p in anchored)
    assert anchored[1].head_hash == _head(db).hash
    with db.reading() as session:
        stored = list(session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.seq)))
    assert [(c.seq, c.head_hash, c.signature) for c in stored] == [(p.seq, p.head_hash, p.signature) for p in anchored]
    assert anchor_path(settings).stat().st_mode & 0o077 == 0  # owner-only

    report = _verify(db, settings)
    assert report.ok, report.problems
    assert (report.records, report.checkpoints) == (5, 2)  # the same checkpoint in DB and file counts once


@pytest.mark.parametrize("table", ["audit_log", "audit_checkpoints"])
def test_audit_tables_are_append_only(db: Database, settings: Settings, table: str) -> None:
    _append(db, 2)
    _checkpoint(db, settings)
    key = "seq" if table == "audit_log" else "id"
    column = "actor_name" if table == "audit_log" else "head_hash"
    for statement in (f"UPDATE {table} SET {column} = 'mallory' WHERE {key} = 1",  # noqa: S608 - fixed names
                      f"DELETE FROM {table} WHERE {key} = 1",  # noqa: S608
                      f"DELETE FROM {table}"):  # noqa: S608
        with pytest.raises(DatabaseError, match="append-only"), db.engine.begin() as conn:
            conn.execute(text(statement))
    report = _verify(db, settings)
    assert report.ok, report.problems
    assert (report.records, report.checkpoints) == (2, 1)


def test_truncate_is_refused_on_postgresql(db: Database) -> None:
    if db.is_sqlite:
        pytest.skip("SQLite has no TRUNCATE; DELETE without WHERE is refused (see above)")
    _append(db, 2)
    with pytest.raises(DatabaseError, match="append-only"), db.engine.begin() as conn:
        conn.execute(text("TRUNCATE audit_log"))


def test_emptying_the_log_is_found_by_the_head(db: Database, settings: Settings) -> None:
    _append(db, 3)
    _as_attacker(db, "DELETE FROM audit_log")
    report = _verify(db, settings)
    assert report.records == 0 and report.missing_after_seq == 0
    assert report.problems == ["records 1..3 are missing: the chain head says 3"]


def test_editing_one_field_of_a_record_is_found(db: Database, settings: Settings) -> None:
    _append(db, 5)
    _as_attacker(db, "UPDATE audit_log SET actor_name = 'mallory' WHERE seq = 3")
    report = _verify(db, settings)
    assert not report.ok
    assert report.first_broken_seq == 3
    assert report.missing_after_seq is None
    assert report.problems == ["record 3 was altered (its content does not match its hash)"]


def test_editing_a_record_and_its_hash_breaks_the_next_link(db: Database, settings: Settings) -> None:
    rows = _append(db, 5)
    forged = service.record_hash(
        seq=3, id=rows[2].id, at=rows[2].at, actor=rows[2].actor, actor_name=rows[2].actor_name,
        action=rows[2].action, outcome="success", target_type=rows[2].target_type, target_id=rows[2].target_id,
        source=rows[2].source, details=rows[2].details, prev_hash=rows[2].prev_hash,
    )
    _as_attacker(db, ("UPDATE audit_log SET outcome = 'success', hash = :h WHERE seq = 3", {"h": forged}))
    report = _verify(db, settings)
    assert report.first_broken_seq == 4
    assert "record 4 does not link to the record before it" in report.problems


def test_rewriting_the_whole_tail_is_found_by_a_signed_checkpoint(db: Database, settings: Settings) -> None:
    """An attacker who recomputes every hash after an edit (and the head) is caught by the checkpoint only."""
    rows = _append(db, 5)
    _checkpoint(db, settings)
    prev = rows[1].hash
    statements: list[Statement] = []
    for row in rows[2:]:
        actor_name = "mallory" if row.seq == 3 else row.actor_name
        new_hash = service.record_hash(
            seq=row.seq, id=row.id, at=row.at, actor=row.actor, actor_name=actor_name, action=row.action,
            outcome=row.outcome, target_type=row.target_type, target_id=row.target_id, source=row.source,
            details=row.details, prev_hash=prev,
        )
        statements.append(("UPDATE audit_log SET actor_name = :name, prev_hash = :prev, hash = :hash WHERE seq = :seq",
                           {"name": actor_name, "prev": prev, "hash": new_hash, "seq": row.seq}))
        prev = new_hash
    statements.append(("UPDATE audit_head SET hash = :hash WHERE id = 1", {"hash": prev}))
    _as_attacker(db, *statements)

    report = _verify(db, settings)
    assert not report.ok
    assert report.first_broken_seq == 5
    assert report.problems == ["record 5 differs from its signed checkpoint"]


def test_deleting_the_newest_records_and_rewinding_the_head_is_found(db: Database, settings: Settings) -> None:
    rows = _append(db, 5)
    assert _checkpoint(db, settings) is not None
    _as_attacker(
        db,
        "DELETE FROM audit_log WHERE seq > 3",
        ("UPDATE audit_head SET seq = 3, hash = :hash WHERE id = 1", {"hash": rows[2].hash}),
    )
    report = _verify(db, settings)
    assert not report.ok
    assert report.records == 3
    assert report.missing_after_seq == 3
    assert report.first_broken_seq is None
    assert report.problems == [
        "records 4..5 are missing: a signed checkpoint of 5 exists but the log ends at 3",
    ]

    # the attacker also removes the checkpoints from the database: the anchor file outside it remembers
    _as_attacker(db, "DELETE FROM audit_checkpoints")
    with db.reading() as session:
        assert session.scalars(select(AuditCheckpoint)).all() == []
    report = _verify(db, settings)
    assert report.missing_after_seq == 3
    assert report.checkpoints == 1
    assert any("records 4..5 are missing" in p for p in report.problems)


def test_deleting_the_newest_records_without_rewinding_the_head_is_found(
    db: Database, settings: Settings
) -> None:
    _append(db, 4)
    _as_attacker(db, "DELETE FROM audit_log WHERE seq = 4")
    report = _verify(db, settings)
    assert report.missing_after_seq == 3
    assert report.problems == ["records 4..4 are missing: the chain head says 4"]


def test_deleting_a_middle_record_is_found(db: Database, settings: Settings) -> None:
    _append(db, 5)
    _as_attacker(db, "DELETE FROM audit_log WHERE seq = 3")
    report = _verify(db, settings)
    assert not report.ok
    assert report.records == 4
    assert report.first_broken_seq == 3
    assert report.problems == ["record 3 is missing (next present is 4)"]


def test_a_checkpoint_with_a_forged_signature_is_found(db: Database, settings: Settings) -> None:
    _append(db, 3)
    real = _checkpoint(db, settings)
    assert real is not None
    signer = load_signer(settings)
    impostor = Signer(b"\x07" * 32)
    forged = replace(impostor.sign(3, _head(db).hash, utcnow()), key_id=signer.key_id)
    with db.unit_of_work() as session:
        session.add(AuditCheckpoint(at=forged.at, seq=forged.seq, head_hash=forged.head_hash,
                                    key_id=forged.key_id, signature=forged.signature))
    report = _verify(db, settings)
    assert not report.ok
    assert report.problems == ["checkpoint at record 3 has an invalid signature"]
    assert report.first_broken_seq is None and report.missing_after_seq is None


def test_a_forged_checkpoint_in_the_anchor_file_is_not_taken_for_missing_records(
    db: Database, settings: Settings
) -> None:
    _append(db, 2)
    assert _checkpoint(db, settings) is not None
    signer = load_signer(settings)
    genuine = signer.sign(2, _head(db).hash, utcnow())
    claim = replace(genuine, seq=100)  # a valid signature over another statement
    with anchor_path(settings).open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(claim.to_json()) + "\n")
        handle.write("{not json\n")
    report = _verify(db, settings)
    assert report.missing_after_seq is None
    assert report.problems == ["anchor file line 3 is unreadable",
                               "checkpoint at record 100 has an invalid signature"]


def test_a_checkpoint_under_another_key_is_not_trusted(db: Database, settings: Settings, tmp_path: Path) -> None:
    _append(db, 2)
    other = tmp_path / "elsewhere.jsonl"
    with db.unit_of_work() as session:
        assert service.checkpoint(session, Signer(b"\x01" * 32), other) is not None
    report = _verify(db, settings)
    assert report.problems == ["checkpoint at record 2 has an invalid signature"]


def test_records_keep_verifying_as_the_chain_grows(db: Database, settings: Settings) -> None:
    for _ in range(3):
        _append(db, 2)
        _checkpoint(db, settings)
        report = _verify(db, settings)
        assert report.ok, report.problems
    assert (report.records, report.checkpoints) == (6, 3)


def test_page_is_newest_first_and_filters(db: Database) -> None:
    _append(db, 3)
    with db.unit_of_work() as session:
        service.record(session, action="other.action", actor=service.Actor(ref="user:7", name="x"))
    with db.reading() as session:
        assert [r.seq for r in service.page(session, after_seq=None, limit=10)] == [4, 3, 2, 1]
        assert [r.seq for r in service.page(session, after_seq=3, limit=1)] == [2]
        assert [r.seq for r in service.page(session, after_seq=None, limit=10, action="test.action")] == [3, 2, 1]
        assert [r.seq for r in service.page(session, after_seq=None, limit=10, actor="user:7")] == [4]
