"""The alarm desk's periodic job: escalate new alarms nobody acknowledged in time."""

from __future__ import annotations

from qorgau.alarms import config as alarms_config
from qorgau.alarms import escalation
from qorgau.alarms.config import AlarmsConfig
from qorgau.core.db import Database
from qorgau.core.settings import CoreSettings
from qorgau.core.time import utcnow
from qorgau.core.workers import Periodic

ESCALATION_CHECK_S = 5.0


def periodic(settings: CoreSettings, db: Database) -> list[Periodic]:
    return [Periodic("alarm-escalation", ESCALATION_CHECK_S, lambda: escalate_database(db))]


def escalate_database(db: Database, config: AlarmsConfig | None = None) -> int:
    """One pass in batches of their own transactions."""
    config = config or alarms_config.current()
    total = 0
    while True:
        with db.unit_of_work() as session:
            found = escalation.escalate_due(session, utcnow(), config=config)
        total += len(found)
        if len(found) < escalation.BATCH:
            return total
