"""What every adapter gets: settings, database, the registry directory, the group-commit sink and metrics."""

from __future__ import annotations

from dataclasses import dataclass

from qorgau.core.bus import Context
from qorgau.core.db import Database
from qorgau.core.ids import new_uuid
from qorgau.ingest.config import IngestSettings
from qorgau.ingest.directory import Directory
from qorgau.ingest.metrics import IngestMetrics
from qorgau.ingest.sink import Sink


@dataclass(frozen=True)
class IngestHub:
    settings: IngestSettings
    db: Database
    directory: Directory
    sink: Sink
    metrics: IngestMetrics

    @staticmethod
    def context(device_code: str | None = None, *, simulated: bool = False) -> Context:
        """The causal context of an event a device reported (or of the ingest itself)."""
        actor = f"device:{device_code}" if device_code else "system:ingest"
        # Built without re-validation: both fields are already of the right type (this runs once per frame).
        return Context.model_construct(actor=actor, correlation_id=new_uuid(), parent_id=None, simulated=simulated)
