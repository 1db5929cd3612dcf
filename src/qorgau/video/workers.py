"""The server's periodic storage job (the only process that deletes recordings): the first pass reconciles the
index with the volumes, then every pass applies retention and checks the volumes, publishing state changes."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from qorgau.core.db import Database
from qorgau.core.time import utcnow
from qorgau.core.workers import Periodic
from qorgau.video import recordings, repair, retention, volumes
from qorgau.video.config import VideoSettings

log = logging.getLogger(__name__)

INTERVAL_S = 30.0
REPAIR_EVERY = 120  # passes between two reconciles after the first (about an hour)
CACHE_KEEP_S = 3600.0  # a transcoded playback copy not read for an hour is deleted (it is made again on demand)


@dataclass
class StoragePass:
    """What one pass did."""

    deleted: int
    deleted_bytes: int
    states: dict[str, str]
    repair: repair.RepairReport | None


class StorageJob:
    def __init__(self, settings: VideoSettings, db: Database) -> None:
        self.settings, self.db = settings, db
        self._passes = 0

    def run(self) -> StoragePass:
        """Reconcile (first pass and then now and again), enforce retention, check the volumes."""
        specs = self.settings.volumes()
        report = None
        if self._passes % REPAIR_EVERY == 0:
            with self.db.unit_of_work() as session:
                volumes.check(session=session, specs=specs)  # marks new volumes before the reconcile reads them
                report = repair.reconcile(session=session, specs=specs)
        self._passes += 1
        with self.db.unit_of_work() as session:
            deleted = retention.enforce(session=session, specs=specs, now=utcnow(),
                                        default_days=self.settings.video_retention_days)
        removed = retention.delete_files(deleted)
        if deleted.files:
            log.info("retention removed %d segments (%d by age, %d by quota, %d bytes)", removed, deleted.by_age,
                     deleted.by_quota, deleted.bytes)
        with self.db.unit_of_work() as session:
            rows = volumes.check(session=session, specs=specs)
            states = {row.name: row.state for row in rows}
        recordings.prune_cache(self.settings.playback_cache_dir, keep_s=CACHE_KEEP_S, now=time.time())
        return StoragePass(deleted=removed, deleted_bytes=deleted.bytes, states=states, repair=report)


def periodic(settings: VideoSettings, db: Database) -> list[Periodic]:
    job = StorageJob(settings, db)
    return [Periodic("video-storage", INTERVAL_S, job.run)]
