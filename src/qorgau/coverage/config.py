"""Settings of the coverage model: walking speed, thresholds, drive-time response, placement limits."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from qorgau.core.settings import CoreSettings


class CoverageSettings(CoreSettings):
    """Police within walking distance and patrol response by car (`QORGAU_COVERAGE_*`)."""

    section: ClassVar[str] = "Coverage"

    coverage_walk_speed_kmh: float = Field(
        default=4.5, gt=0.5, le=10, title="Walking speed",
        description="Speed of a resident or officer on foot (km/h) for the walking isochrones and coverage.",
    )
    coverage_walk_minutes: list[int] = Field(
        default=[5, 10, 15], min_length=1, max_length=6, title="Walking thresholds",
        description="Minutes on foot from a police point for which isochrones and coverage are shown.",
    )
    coverage_drive_minutes: int = Field(
        default=7, ge=1, le=60, title="Patrol response time",
        description="Minutes by car from a patrol base or post within which residents count as covered.",
    )
    coverage_candidate_sites: int = Field(
        default=500, ge=10, le=5000, title="Candidate sites",
        description="Street nodes sampled, spread evenly, as candidate sites when a placement lists none.",
    )
    coverage_placement_time_limit_s: float = Field(
        default=20.0, gt=0, le=300, title="Placement time limit",
        description="Longest a placement solve may run (seconds); a solve stopped by it reports its optimality gap.",
    )
