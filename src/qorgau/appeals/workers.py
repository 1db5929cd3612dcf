"""The appeals' periodic job: remind inspectors before the deadline and escalate overdue appeals, once each."""

from __future__ import annotations

from qorgau.appeals import actions
from qorgau.appeals.config import AppealsSettings
from qorgau.core.db import Database
from qorgau.core.settings import CoreSettings
from qorgau.core.time import utcnow
from qorgau.core.workers import Periodic


def periodic(settings: CoreSettings, db: Database) -> list[Periodic]:
    part = settings.part(AppealsSettings)
    return [Periodic("appeal-deadlines", part.appeal_check_seconds, lambda: check_database(db, part))]


def check_database(db: Database, settings: AppealsSettings) -> actions.CheckResult:
    """One pass in its own transaction."""
    with db.unit_of_work() as session:
        return actions.check_deadlines(session, now=utcnow(), reminder_days=settings.appeal_reminder_working_days,
                                       zone=settings.zone)
