"""The units' settings: when a unit's position counts as stale or lost, and when a dispatch counts as stalled."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from qorgau.core.settings import CoreSettings


class UnitsSettings(CoreSettings):
    """How fresh a unit's position must be to rank it for dispatch (`QORGAU_UNIT_*`)."""

    section: ClassVar[str] = "Units"

    unit_position_stale_s: int = Field(
        default=120, gt=0, title="Unit position stale after",
        description="A unit's position older than this is shown as stale and ranked after fresh ones.",
    )
    unit_position_lost_s: int = Field(
        default=1800, gt=0, title="Unit position lost after",
        description="A unit without a fix for this long is not recommended for dispatch.",
    )

    # The dispatch watch: an assignment that stalls is flagged on the desks (a sound for high priorities).
    dispatch_watch_every_s: float = Field(
        default=5.0, gt=0, le=300, title="Dispatch watch interval",
        description="How often the open assignments are checked for stalls (seconds).",
    )
    dispatch_high_priority_max: int = Field(
        default=30, ge=1, le=255, title="High priority up to",
        description="Incidents of this priority or more urgent (1 is the highest) use the high-priority limits "
                    "below, and their stalls sound an alert.",
    )
    dispatch_en_route_within_high_s: int = Field(
        default=60, gt=0, title="En route within (high priority)",
        description="A unit dispatched to a high-priority incident that has not reported en route within this "
                    "is flagged.",
    )
    dispatch_en_route_within_s: int = Field(
        default=180, gt=0, title="En route within",
        description="The same for other incidents.",
    )
    dispatch_on_scene_report_within_high_s: int = Field(
        default=60, gt=0, title="On scene reported within (high priority)",
        description="A unit standing at a high-priority incident's position this long without reporting on "
                    "scene is flagged.",
    )
    dispatch_on_scene_report_within_s: int = Field(
        default=120, gt=0, title="On scene reported within",
        description="The same for other incidents.",
    )
    dispatch_eta_margin_high_s: int = Field(
        default=120, ge=0, title="ETA margin (high priority)",
        description="A unit not on scene this long after the ETA given at dispatch (high priority) is flagged.",
    )
    dispatch_eta_margin_s: int = Field(
        default=300, ge=0, title="ETA margin",
        description="The same for other incidents.",
    )
    dispatch_at_scene_radius_m: float = Field(
        default=60.0, gt=0, le=1000, title="At the scene within",
        description="A unit this close to the incident's position counts as standing at the scene (metres).",
    )
