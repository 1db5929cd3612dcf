"""The units' periodic job: the dispatch watch flags assignments that stall."""

from __future__ import annotations

from qorgau.core.db import Database
from qorgau.core.settings import CoreSettings
from qorgau.core.time import utcnow
from qorgau.core.workers import Periodic
from qorgau.units import watch
from qorgau.units.config import UnitsSettings


def periodic(settings: CoreSettings, db: Database) -> list[Periodic]:
    part = settings.part(UnitsSettings)
    rules = watch.Rules.of(part)
    return [Periodic("dispatch-watch", part.dispatch_watch_every_s, lambda: watch_database(db, rules))]


def watch_database(db: Database, rules: watch.Rules) -> int:
    """One pass in its own transaction; returns how many flags changed."""
    with db.unit_of_work() as session:
        return len(watch.watch(session, now=utcnow(), rules=rules))
