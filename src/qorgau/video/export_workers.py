"""The server's periodic job that builds evidence exports, one at a time, in a worker thread (never in the event
loop); a crash mid-job leaves a failed export and no files, never a half zip presented as done."""

from __future__ import annotations

import logging

from qorgau.audit.signing import load_signer
from qorgau.core.bus import Context
from qorgau.core.db import Database
from qorgau.core.workers import Periodic
from qorgau.video import exports
from qorgau.video.config import VideoSettings
from qorgau.video.export_job import build, discard

log = logging.getLogger(__name__)
INTERVAL_S = 2.0
CTX = Context.system("video.exports")


class ExportRunner:
    """Builds pending exports one after another; the first run fails what a stopped process left running."""

    def __init__(self, settings: VideoSettings, db: Database) -> None:
        self.settings, self.db = settings, db
        self._recovered = False

    def run_pending(self) -> int:
        """Build every pending export; returns how many were attempted."""
        if not self._recovered:
            with self.db.unit_of_work() as session:
                stale = exports.fail_interrupted(session=session, ctx=CTX)
            for export_id in stale:
                discard(self.settings.exports_dir, export_id)
                log.warning("export %s was interrupted by a stop; marked failed", export_id)
            self._recovered = True
        done = 0
        while self.run_one():
            done += 1
        return done

    def run_one(self) -> bool:
        volumes = {volume.name: volume.path for volume in self.settings.volumes()}
        with self.db.unit_of_work() as session:
            job = exports.claim_next(session=session, volumes=volumes)
        if job is None:
            return False
        try:
            result = build(job, exports_dir=self.settings.exports_dir, signer=load_signer(self.settings))
        except Exception as exc:  # any failure of one export is that export's failure, not the job's
            log.exception("export %s failed", job.id)
            with self.db.unit_of_work() as session:
                exports.fail(session=session, export_id=job.id, error=f"{exc.__class__.__name__}: {exc}", ctx=CTX)
            return True
        with self.db.unit_of_work() as session:
            kept = exports.finish(session=session, export_id=job.id, result=result, ctx=CTX)
        if not kept:
            discard(self.settings.exports_dir, job.id)  # deleted while it was being built
        return True


def periodic(settings: VideoSettings, db: Database) -> list[Periodic]:
    runner = ExportRunner(settings, db)
    return [Periodic("video-exports", INTERVAL_S, runner.run_pending)]
