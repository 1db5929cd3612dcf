"""The audit log's periodic job: sign the chain's head, and once more when the server stops."""

from __future__ import annotations

from pathlib import Path

from qorgau.audit import service
from qorgau.audit.signing import Signer, anchor_path, load_signer
from qorgau.core.db import Database
from qorgau.core.settings import CoreSettings
from qorgau.core.workers import Periodic


def periodic(settings: CoreSettings, db: Database) -> list[Periodic]:
    signer, anchor = load_signer(settings), anchor_path(settings)
    return [Periodic("audit-checkpoint", settings.audit_checkpoint_interval_s,
                     lambda: checkpoint_database(db, signer, anchor), run_at_stop=True)]


def checkpoint_database(db: Database, signer: Signer, anchor: Path) -> None:
    with db.unit_of_work() as session:
        service.checkpoint(session, signer, anchor)
