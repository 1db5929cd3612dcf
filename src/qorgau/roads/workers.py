"""The roads' periodic job: delete plate reads older than the keeping period (those of hits are kept)."""

from __future__ import annotations

import logging

from qorgau.audit import service as audit
from qorgau.core.db import Database
from qorgau.core.settings import CoreSettings
from qorgau.core.workers import Periodic
from qorgau.roads import service
from qorgau.roads.config import RoadsSettings
from qorgau.roads.enums import RoadsAction

log = logging.getLogger(__name__)


def periodic(settings: CoreSettings, db: Database) -> list[Periodic]:
    part = settings.part(RoadsSettings)
    return [Periodic("roads-prune-reads", part.roads_prune_interval_s, lambda: prune_database(db, part))]


def prune_database(db: Database, settings: RoadsSettings) -> int:
    """One pass in its own transaction; the deletion is audited when it removed anything (personal data)."""
    with db.unit_of_work() as session:
        removed = service.prune(session, keep_days=settings.roads_reads_keep_days)
        if removed:
            audit.record(session, action=RoadsAction.PRUNE, actor=audit.Actor("system:roads"),
                         target_type="plate_reads", details={"removed": removed,
                                                             "keep_days": settings.roads_reads_keep_days})
            log.info("pruned %d plate reads", removed)
    return removed
