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
    speed_max_uncertainty_kmh: float = Field(
        default=2.0, ge=0.5, le=20.0, title="Spot speed's allowed error (km/h)",
        description="A spot speed whose expanded uncertainty (3 sigmas of the fit's and the calibration's error "
                    "together, ADR 0052) exceeds this measures nothing: the track is counted as too jittery, "
                    "its calibration too coarse, or both together too uncertain.",
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
    violation_camera_groups: list[str] = Field(
        default_factory=lambda: ["speed", "intersection"], title="Enforcement camera groups",
        description="Cameras of these purposes are analysed for violations: `speed` cameras measure spot speed "
                    "(and section speed between two of them), `intersection` cameras red-light running.",
    )
    violation_plate_wait_s: float = Field(
        default=5.0, ge=0.0, le=60.0, title="Wait for the plate read (s)",
        description="After a vehicle left the picture, how long the violation pipeline waits for the plate "
                    "reader's read of the same track before it reads the plate itself.",
    )
    violation_section_max_s: float = Field(
        default=1800.0, ge=10.0, le=86_400.0, title="Section window (s)",
        description="Two passages of one plate at two speed points further apart in time than this make no "
                    "section (the driver stopped on the way); older waiting passages are dropped.",
    )
    violation_section_max_m: float = Field(
        default=10_000.0, ge=100.0, le=100_000.0, title="Longest section (m)",
        description="Speed points further apart on the road than this form no section.",
    )
