"""Appending to the audit chain, checkpointing its head, and verifying it."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from qorgau.audit.enums import Outcome
from qorgau.audit.models import GENESIS_HASH, AuditCheckpoint, AuditHead, AuditRecord
from qorgau.audit.signing import Checkpoint, Signer, append_anchor, read_anchors
from qorgau.core.time import as_utc, utcnow


@dataclass(frozen=True)
class Actor:
    """Who did it: ``user:<id>`` with a name, or ``system:<component>``, and from where."""

    ref: str
    name: str | None = None
    source: str | None = None


def record_hash(
    *, seq: int, id: uuid.UUID, at: datetime, actor: str, actor_name: str | None, action: str, outcome: str,
    target_type: str | None, target_id: str | None, source: str | None, details: dict[str, Any], prev_hash: str,
) -> str:
    """SHA-256 over a canonical JSON of every field and the previous link."""
    canonical = json.dumps(
        [seq, str(id), as_utc(at).isoformat(), actor, actor_name, action, outcome, target_type, target_id,
         source, details, prev_hash],
        sort_keys=True, ensure_ascii=False, separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def record(
    session: Session,
    *,
    action: str,
    actor: Actor,
    outcome: Outcome = Outcome.SUCCESS,
    target_type: str | None = None,
    target_id: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditRecord:
    """Append one record to the chain in the caller's transaction."""
    head = session.scalars(select(AuditHead).where(AuditHead.id == 1).with_for_update()).one_or_none()
    if head is None:
        head = AuditHead(id=1, seq=0, hash=GENESIS_HASH)
        session.add(head)
    at = utcnow()
    fields: dict[str, Any] = {
        "seq": head.seq + 1, "id": uuid.uuid4(), "at": at, "actor": actor.ref, "actor_name": actor.name,
        "action": action, "outcome": str(outcome), "target_type": target_type, "target_id": target_id,
        "source": actor.source, "details": details or {}, "prev_hash": head.hash,
    }
    row = AuditRecord(**fields, hash=record_hash(**fields))
    session.add(row)
    head.seq, head.hash = row.seq, row.hash
    session.flush()
    return row


def checkpoint(session: Session, signer: Signer, anchor: Path) -> Checkpoint | None:
    """Sign the current head if it moved since the last checkpoint; store it in the DB and the anchor file."""
    head = session.get(AuditHead, 1)
    if head is None or head.seq == 0:
        return None
    last = session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.seq.desc()).limit(1)).first()
    if last is not None and last.seq >= head.seq:
        return None
    signed = signer.sign(head.seq, head.hash, utcnow())
    session.add(AuditCheckpoint(at=signed.at, seq=signed.seq, head_hash=signed.head_hash,
                                key_id=signed.key_id, signature=signed.signature))
    append_anchor(anchor, signed)
    return signed


@dataclass
class VerifyReport:
    """What `qorgau audit verify` found."""

    records: int = 0
    checkpoints: int = 0
    problems: list[str] = field(default_factory=list)
    first_broken_seq: int | None = None
    missing_after_seq: int | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def broken(self, seq: int, message: str) -> None:
        if self.first_broken_seq is None:
            self.first_broken_seq = seq
        self.problems.append(message)


def verify(session: Session, signer: Signer, anchor: Path) -> VerifyReport:
    """Walk the chain from the start; check every link, every checkpoint and the chain's tail."""
    report = VerifyReport()
    expected_prev, expected_seq = GENESIS_HASH, 1
    hashes_at: dict[int, str] = {}
    for row in session.scalars(select(AuditRecord).order_by(AuditRecord.seq).execution_options(yield_per=1000)):
        report.records += 1
        if row.seq != expected_seq:
            report.broken(expected_seq, f"record {expected_seq} is missing (next present is {row.seq})")
        elif row.prev_hash != expected_prev:
            report.broken(row.seq, f"record {row.seq} does not link to the record before it")
        recomputed = record_hash(
            seq=row.seq, id=row.id, at=row.at, actor=row.actor, actor_name=row.actor_name, action=row.action,
            outcome=row.outcome, target_type=row.target_type, target_id=row.target_id, source=row.source,
            details=row.details, prev_hash=row.prev_hash,
        )
        if recomputed != row.hash:
            report.broken(row.seq, f"record {row.seq} was altered (its content does not match its hash)")
        hashes_at[row.seq] = row.hash
        expected_prev, expected_seq = row.hash, row.seq + 1
    last_seq = expected_seq - 1

    db_points = [
        Checkpoint(c.seq, c.head_hash, c.at, c.key_id, c.signature)
        for c in session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.seq))
    ]
    file_points, unreadable = read_anchors(anchor)
    report.problems.extend(unreadable)
    for point in _unique(db_points + file_points):
        report.checkpoints += 1
        if not signer.valid(point):
            report.problems.append(f"checkpoint at record {point.seq} has an invalid signature")
            continue
        if point.seq > last_seq:
            if report.missing_after_seq is None or point.seq > (report.missing_after_seq or 0):
                report.missing_after_seq = last_seq
            report.problems.append(
                f"records {last_seq + 1}..{point.seq} are missing: a signed checkpoint of {point.seq} exists "
                f"but the log ends at {last_seq}"
            )
        elif hashes_at.get(point.seq) != point.head_hash:
            report.broken(point.seq, f"record {point.seq} differs from its signed checkpoint")
    head = session.get(AuditHead, 1)
    if head is not None and head.seq > last_seq and report.missing_after_seq is None:
        report.missing_after_seq = last_seq
        report.problems.append(f"records {last_seq + 1}..{head.seq} are missing: the chain head says {head.seq}")
    return report


def _unique(points: list[Checkpoint]) -> list[Checkpoint]:
    seen: dict[tuple[int, str, str], Checkpoint] = {}
    for point in points:
        seen.setdefault((point.seq, point.head_hash, point.signature), point)
    return sorted(seen.values(), key=lambda p: p.seq)


@dataclass(frozen=True)
class Filters:
    """What a search of the log asks for; every given filter must hold (``at_to`` is exclusive)."""

    action: str | None = None
    actor: str | None = None
    person: str | None = None
    action_prefix: str | None = None
    target_type: str | None = None
    target: str | None = None
    at_from: datetime | None = None
    at_to: datetime | None = None
    range_from: datetime | None = None
    range_to: datetime | None = None


def page(
    session: Session, *, after_seq: int | None, limit: int, action: str | None = None, actor: str | None = None,
    action_prefix: str | None = None, target_type: str | None = None, target: str | None = None,
    at_from: datetime | None = None, at_to: datetime | None = None,
    range_from: datetime | None = None, range_to: datetime | None = None, person: str | None = None,
) -> list[AuditRecord]:
    """Newest first; ``after_seq`` continues below that sequence; filters combine (``at_to`` is exclusive)."""
    filters = Filters(action=action, actor=actor, person=person, action_prefix=action_prefix,
                      target_type=target_type, target=target, at_from=at_from, at_to=at_to,
                      range_from=range_from, range_to=range_to)
    query = filtered(select(AuditRecord), filters).order_by(AuditRecord.seq.desc()).limit(limit)
    if after_seq is not None:
        query = query.where(AuditRecord.seq < after_seq)
    return list(session.scalars(query))


def filtered(query: Select[AuditRecord], filters: Filters) -> Select[AuditRecord]:
    """The query narrowed to the records that match every given filter."""
    action, actor, action_prefix = filters.action, filters.actor, filters.action_prefix
    target_type, target, at_from, at_to = filters.target_type, filters.target, filters.at_from, filters.at_to
    range_from, range_to = filters.range_from, filters.range_to
    if filters.person:
        # A person as an auditor names them: the sign-in name (any case) or the actor reference (`user:12`).
        # Failed sign-ins carry the name that was typed, so they are found under it too.
        name = filters.person.strip()
        query = query.where(or_(func.lower(AuditRecord.actor_name) == name.lower(), AuditRecord.actor == name))
    if action:
        query = query.where(AuditRecord.action == action)
    if action_prefix:
        # startswith(autoescape): a `_` or `%` in the prefix is literal, not a LIKE wildcard
        query = query.where(AuditRecord.action.startswith(action_prefix, autoescape=True))
    if actor:
        query = query.where(AuditRecord.actor == actor)
    if target_type:
        query = query.where(AuditRecord.target_type == target_type)
    if target:
        query = query.where(AuditRecord.target_id == target)
    if at_from is not None:
        query = query.where(AuditRecord.at >= as_utc(at_from))
    if at_to is not None:
        query = query.where(AuditRecord.at < as_utc(at_to))
    # range_from/range_to keep records whose own range (details from/to: the span of a live view, the footage
    # of a playback or export) overlaps it: who watched, or looked at footage of, that hour. ISO 8601 in UTC, as
    # records write it, orders as text (to the second; fractions of a second are compared as written).
    if range_from is not None:
        query = query.where(AuditRecord.details["to"].as_string() > as_utc(range_from).isoformat())
    if range_to is not None:
        query = query.where(AuditRecord.details["from"].as_string() < as_utc(range_to).isoformat())
    return query
