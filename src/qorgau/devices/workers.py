"""The registry's periodic job: devices silent past their supervision interval go offline."""

from __future__ import annotations

from qorgau.core.db import Database
from qorgau.core.settings import CoreSettings
from qorgau.core.workers import Periodic
from qorgau.devices import health
from qorgau.devices.config import DEFAULTS


def periodic(settings: CoreSettings, db: Database) -> list[Periodic]:
    return [Periodic("device-supervision", DEFAULTS.supervision_check_s, lambda: supervise_database(db))]


def supervise_database(db: Database) -> int:
    """One supervision pass in batches of their own transactions."""
    total = 0
    while True:
        with db.unit_of_work() as session:
            found = health.supervise(session)
        total += len(found)
        if len(found) < health.SUPERVISION_BATCH:
            return total
