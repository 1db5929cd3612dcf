"""Sign-in's periodic job: web sessions past their lifetime or idle limit are deleted."""

from __future__ import annotations

from qorgau.auth import service
from qorgau.core.db import Database
from qorgau.core.settings import CoreSettings
from qorgau.core.time import utcnow
from qorgau.core.workers import Periodic

PURGE_EVERY_S = 600.0


def periodic(settings: CoreSettings, db: Database) -> list[Periodic]:
    return [Periodic("session-purge", PURGE_EVERY_S, lambda: purge_sessions(db, settings))]


def purge_sessions(db: Database, settings: CoreSettings) -> None:
    with db.unit_of_work() as session:
        service.purge_expired_sessions(session, utcnow(), idle_minutes=settings.session_idle_minutes)
