"""The roads' periodic jobs (filled in by issue 12)."""

from __future__ import annotations

from qorgau.core.db import Database
from qorgau.core.settings import CoreSettings
from qorgau.core.workers import Periodic


def periodic(settings: CoreSettings, db: Database) -> list[Periodic]:
    return []
