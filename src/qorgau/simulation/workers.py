"""The simulation's periodic job: runs whose simulator fell silent are ended as lost."""

from __future__ import annotations

from qorgau.core.db import Database
from qorgau.core.workers import Periodic
from qorgau.simulation import service
from qorgau.simulation.config import SimulationSettings

LOST_CHECK_S = 5.0  # how often runs without a heartbeat are looked for


def periodic(settings: SimulationSettings, db: Database) -> list[Periodic]:
    return [Periodic("simulation-lost-runs", LOST_CHECK_S,
                     lambda: end_lost_database(db, lost_after_s=settings.simulation_lost_after_s))]


def end_lost_database(db: Database, *, lost_after_s: float) -> int:
    """One pass of the lost-run job, in batches of their own transactions."""
    total = 0
    while True:
        with db.unit_of_work() as session:
            found = service.end_lost(session, lost_after_s=lost_after_s)
        total += len(found)
        if len(found) < service.LOST_BATCH:
            return total
