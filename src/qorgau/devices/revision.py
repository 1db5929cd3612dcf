"""Two counters in one row: registry changes and health changes, so each process knows when its caches are stale.

Incremented in the transaction that makes the change, so a reader that sees a new number also sees the change.
"""

from __future__ import annotations

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from qorgau.devices.models import RegistryRevision

_PENDING = "qorgau.devices.revision.pending"  # session.info: what the transaction under way has changed


def bump(session: Session, *, registry: bool = False, health: bool = False) -> None:
    """Count a change of the registry or of health in the transaction under way.

    The counter moves once, as the transaction commits, however many devices it changed: a power cut's 500 health
    changes cost one UPDATE of the counter row, not 500, and on PostgreSQL its row lock is held only for the
    commit instead of from the first change on. A change inside a savepoint that is rolled back still moves it:
    a cache rebuilt for nothing, never one left stale.
    """
    pending: set[str] = session.info.setdefault(_PENDING, set())
    if registry:
        pending.add("registry")
    if health:
        pending.add("health")


@event.listens_for(Session, "before_commit")
def _count_at_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint's release (SQLAlchemy calls this hook for those too): the outer commit counts
    pending = session.info.pop(_PENDING, None)
    if pending:
        _bump_now(session, registry="registry" in pending, health="health" in pending)


def _bump_now(session: Session, *, registry: bool, health: bool) -> None:
    values = {}
    if registry:
        values["revision"] = RegistryRevision.revision + 1
    if health:
        values["health_revision"] = RegistryRevision.health_revision + 1
    result = session.execute(update(RegistryRevision).where(RegistryRevision.id == 1).values(values))
    if getattr(result, "rowcount", 0) == 0:
        session.add(RegistryRevision(id=1, revision=int(registry), health_revision=int(health)))
        session.flush()


def current(session: Session) -> tuple[int, int]:
    """(registry revision, health revision); (0, 0) before the first change."""
    row = session.execute(select(RegistryRevision.revision, RegistryRevision.health_revision)
                          .where(RegistryRevision.id == 1)).one_or_none()
    return (int(row[0]), int(row[1])) if row is not None else (0, 0)
