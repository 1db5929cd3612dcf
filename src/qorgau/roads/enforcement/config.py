"""Settings of speed and red-light enforcement (`QORGAU_VIOLATION_*`, `QORGAU_SPEED_*`)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from qorgau.core.settings import CoreSettings


class EnforcementSettings(CoreSettings):
    """Speed and red-light violations: tolerance, fines' unit and the red-light grace."""

    section: ClassVar[str] = "Speed and red light"

    speed_tolerance_kmh: float = Field(
        default=10.0, ge=0.0, le=40.0, title="Speed tolerance (km/h)",
        description="A vehicle is a violation candidate only above the limit plus this much (the Code's lowest "
                    "band starts at 10 km/h over); the measurement's own error is subtracted first.",
    )
    speed_default_limit_kmh: float = Field(
        default=60.0, ge=5.0, le=150.0, title="Default limit (km/h)",
        description="The limit of a speed point whose camera names none and whose road has no maxspeed "
                    "(the urban limit of the Kazakh traffic rules).",
    )
    violation_mrp_kzt: int = Field(
        default=4325, ge=1, le=1_000_000, title="MRP (tenge)",
        description="The monthly calculation index of the year (2026: 4,325 tenge under the budget law); "
                    "fines are in MRP and shown in tenge at this value.",
    )
    violation_red_grace_s: float = Field(
        default=0.3, ge=0.0, le=3.0, title="Red-light grace (s)",
        description="A stop-line crossing this soon after the signal turned red is not a violation (the "
                    "controller's and camera's clocks differ by up to this much).",
    )
