"""The districts' settings: the norm of residents per inspector and the default reception hours."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from qorgau.core.settings import CoreSettings


class DistrictsSettings(CoreSettings):
    """Police districts and their inspectors (`QORGAU_DISTRICT_*`)."""

    section: ClassVar[str] = "Police districts"

    district_residents_norm: int = Field(
        default=2500, ge=100, le=100_000, title="Residents per inspector",
        description="The norm of residents one district inspector serves (practice: about 2,000–3,000); "
                    "districts with more residents per inspector are flagged.",
    )
    district_reception_hours: str = Field(
        default="17:00-20:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$",
        title="Default reception hours",
        description="The inspector's reception hours on working days (HH:MM-HH:MM) given to a district that "
                    "names none.",
    )

    district_workload_share: float = Field(
        default=0.0, ge=0.0, le=1.0, title="Workload weight in redistricting",
        description="How much incidents count against residents when districts are proposed: each cell weighs "
                    "residents_share × (1 − a) + incidents_share × a (0 = residents only, 1 = incidents only).",
    )
    district_workload_days: int = Field(
        default=90, ge=1, le=730, title="Workload period (days)",
        description="Incidents of the last this many days make a district's workload.",
    )


def default_reception(settings: DistrictsSettings) -> dict[str, object]:
    """The reception a district gets when it names none: the working days at the configured hours."""
    start, end = settings.district_reception_hours.split("-")
    return {"days": [0, 1, 2, 3, 4], "from": start, "to": end}
