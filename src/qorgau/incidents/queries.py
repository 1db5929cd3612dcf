"""Reads of incidents other domains need (the shift handover), kept apart from the board's service."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from qorgau.incidents.enums import OPEN_STATES
from qorgau.incidents.models import Incident


def open_incidents(session: Session, *, limit: int) -> Sequence[Incident]:
    """Every open incident, most urgent first, then the longest waiting."""
    query = select(Incident).where(Incident.state.in_([str(s) for s in OPEN_STATES]))
    return session.scalars(query.order_by(Incident.priority, Incident.received_at, Incident.id).limit(limit)).all()


def changed_since(session: Session, since: datetime, *, limit: int) -> Sequence[Incident]:
    """Incidents received or changed since ``since`` (a shift's work), the latest change first."""
    query = select(Incident).where((Incident.received_at >= since) | (Incident.updated_at >= since))
    return session.scalars(query.order_by(Incident.updated_at.desc(), Incident.id.desc()).limit(limit)).all()
