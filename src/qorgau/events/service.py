"""Reading the recorded events (the outbox): pages newest first, filtered by name or subject."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qorgau.core.bus import Event
from qorgau.core.bus.models import OutboxEvent
from qorgau.core.bus.outbox import to_event


def page(session: Session, *, before_seq: int | None, limit: int, name: str | None = None,
         subject_type: str | None = None, subject_id: str | None = None) -> list[Event[Any]]:
    """Up to ``limit`` events below sequence ``before_seq`` (all when None), newest first."""
    query = select(OutboxEvent).order_by(OutboxEvent.seq.desc()).limit(limit)
    if before_seq is not None:
        query = query.where(OutboxEvent.seq < before_seq)
    if name:
        query = query.where(OutboxEvent.name == name)
    if subject_type:
        query = query.where(OutboxEvent.subject_type == subject_type)
    if subject_id:
        query = query.where(OutboxEvent.subject_id == subject_id)
    return [to_event(row) for row in session.scalars(query)]
