"""A filtered range of the audit log as CSV or JSON lines, with the chain's hashes, and the chain's status."""

from __future__ import annotations

import csv
import io
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qorgau.audit.enums import Action
from qorgau.audit.models import AuditCheckpoint, AuditHead, AuditRecord
from qorgau.audit.service import Filters, filtered, record_hash
from qorgau.core.errors import QorgauError
from qorgau.core.time import as_utc

# Enough for months of a town's log; a larger range is asked for in parts (the file is built in memory).
EXPORT_LIMIT = 100_000
# Every field the record's hash covers (see service.record_hash), so anyone can recompute each hash and follow
# prev_hash → hash between consecutive records.
EXPORT_FIELDS = ("seq", "id", "at", "actor", "actor_name", "action", "outcome", "target_type", "target_id",
                 "source", "details", "prev_hash", "hash")


def export_records(session: Session, filters: Filters, *, limit: int = EXPORT_LIMIT) -> list[AuditRecord]:
    """The matching records, oldest first; refuses (422) a range larger than ``limit``."""
    query = filtered(select(AuditRecord), filters).order_by(AuditRecord.seq).limit(limit + 1)
    rows = list(session.scalars(query))
    if len(rows) > limit:
        raise QorgauError("audit.export_too_large", status=422, params={"limit": limit})
    return rows


def _plain(row: AuditRecord) -> dict[str, Any]:
    return {"seq": row.seq, "id": str(row.id), "at": as_utc(row.at).isoformat(), "actor": row.actor,
            "actor_name": row.actor_name, "action": row.action, "outcome": row.outcome,
            "target_type": row.target_type, "target_id": row.target_id, "source": row.source,
            "details": row.details, "prev_hash": row.prev_hash, "hash": row.hash}


def as_jsonl(rows: list[AuditRecord]) -> str:
    """One JSON object a line."""
    return "".join(json.dumps(_plain(row), ensure_ascii=False, sort_keys=True) + "\n" for row in rows)


def as_csv(rows: list[AuditRecord]) -> str:
    """A header and one line a record; ``details`` as compact JSON."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        plain = _plain(row)
        plain["details"] = json.dumps(plain["details"], ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        writer.writerow(plain)
    return out.getvalue()


@dataclass(frozen=True)
class ChainStatus:
    """The chain's head, its latest signed checkpoint and the latest verification anybody ran from the API."""

    head_seq: int
    head_hash: str | None
    checkpoint: AuditCheckpoint | None
    last_verify: AuditRecord | None


def chain_status(session: Session) -> ChainStatus:
    head = session.get(AuditHead, 1)
    checkpoint = session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.seq.desc()).limit(1)).first()
    last_verify = session.scalars(select(AuditRecord).where(AuditRecord.action == Action.AUDIT_VERIFY)
                                  .order_by(AuditRecord.seq.desc()).limit(1)).first()
    return ChainStatus(head.seq if head else 0, head.hash if head else None, checkpoint, last_verify)


@dataclass
class ExportCheck:
    """What `qorgau audit verify-export` found in an exported file."""

    records: int = 0
    links: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def read_export(text: str) -> list[dict[str, Any]]:
    """The records of an export, CSV (a header line naming the fields) or JSON lines."""
    if text.startswith(",".join(EXPORT_FIELDS)):
        rows: list[dict[str, Any]] = list(csv.DictReader(io.StringIO(text)))
        for row in rows:
            row["details"] = json.loads(row["details"] or "{}")
            for name in ("actor_name", "target_type", "target_id", "source"):
                row[name] = row[name] or None  # CSV writes None as an empty cell
        return rows
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def check_export(rows: list[dict[str, Any]]) -> ExportCheck:
    """Recompute every record's hash; where two records follow each other in the chain, check their link."""
    check = ExportCheck()
    previous: dict[str, Any] | None = None
    for row in rows:
        check.records += 1
        try:
            seq = int(row["seq"])
            recomputed = record_hash(
                seq=seq, id=uuid.UUID(str(row["id"])), at=datetime.fromisoformat(str(row["at"])),
                actor=row["actor"], actor_name=row["actor_name"], action=row["action"], outcome=row["outcome"],
                target_type=row["target_type"], target_id=row["target_id"], source=row["source"],
                details=row["details"], prev_hash=row["prev_hash"])
        except (KeyError, ValueError, TypeError) as exc:
            check.problems.append(f"record {check.records} is unreadable ({exc})")
            previous = None
            continue
        if recomputed != row["hash"]:
            check.problems.append(f"record {seq} was altered (its content does not match its hash)")
        if previous is not None and int(previous["seq"]) + 1 == seq:
            check.links += 1
            if previous["hash"] != row["prev_hash"]:
                check.problems.append(f"record {seq} does not link to record {seq - 1}")
        previous = row
    return check
