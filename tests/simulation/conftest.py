"""Fixtures of the simulation-run tests: event and audit readers."""

from __future__ import annotations

from sqlalchemy import select

from qorgau.audit.models import AuditRecord
from qorgau.core.bus.models import OutboxEvent
from qorgau.core.db import Database


def events(db: Database, prefix: str = "simulation.") -> list[OutboxEvent]:
    with db.reading() as session:
        return list(session.scalars(select(OutboxEvent).where(OutboxEvent.name.startswith(prefix))
                                    .order_by(OutboxEvent.seq)))


def audits(db: Database, prefix: str = "simulation.") -> list[AuditRecord]:
    with db.reading() as session:
        return list(session.scalars(select(AuditRecord).where(AuditRecord.action.startswith(prefix))
                                    .order_by(AuditRecord.seq)))
