"""The roads' settings: how long plate reads are kept, and how tolerant watch-list matching is."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from qorgau.core.settings import CoreSettings


class RoadsSettings(CoreSettings):
    """Plate reads and watch lists (`QORGAU_ROADS_*`)."""

    section: ClassVar[str] = "Plate reads and watch lists"

    roads_reads_keep_days: int = Field(
        default=30, ge=1, le=3650, title="Keep plate reads (days)",
        description="Plate reads are personal data: older ones are deleted by a periodic job, except those kept "
                    "as part of a watch-list hit or an incident.",
    )
    roads_match_max_unknown: int = Field(
        default=1, ge=0, le=3, title="Unread characters a match tolerates",
        description="A read with up to this many unread characters (`?`) is still compared with the full plates "
                    "of the watch lists; one with more is stored but never raises a hit (too uncertain).",
    )
    roads_prune_interval_s: float = Field(
        default=3600.0, ge=10.0, le=86_400.0, title="Pruning interval (s)",
        description="How often the periodic job deletes plate reads older than the keeping period.",
    )
