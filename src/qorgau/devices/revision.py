"""Two counters in one row: registry changes and health changes, so each process knows when its caches are stale.

Incremented in the transaction that makes the change, so a reader that sees a new number also sees the change.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from qorgau.devices.models import RegistryRevision


def bump(session: Session, *, registry: bool = False, health: bool = False) -> None:
    values = {}
    if registry:
        values["revision"] = RegistryRevision.revision + 1
    if health:
        values["health_revision"] = RegistryRevision.health_revision + 1
    if not values:
        return
    result = session.execute(update(RegistryRevision).where(RegistryRevision.id == 1).values(values))
    if getattr(result, "rowcount", 0) == 0:
        session.add(RegistryRevision(id=1, revision=int(registry), health_revision=int(health)))
        session.flush()


def current(session: Session) -> tuple[int, int]:
    """(registry revision, health revision); (0, 0) before the first change."""
    row = session.execute(select(RegistryRevision.revision, RegistryRevision.health_revision)
                          .where(RegistryRevision.id == 1)).one_or_none()
    return (int(row[0]), int(row[1])) if row is not None else (0, 0)
