"""The units' settings: when a unit's position counts as stale, and when as lost."""

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
