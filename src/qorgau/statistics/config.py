"""Settings of the offence statistics: cube freshness, official population, hot-spot grids, camera effect."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from qorgau.core.settings import CoreSettings


class StatisticsSettings(CoreSettings):
    """Offence measures, hot spots and the cameras' effect (`QORGAU_STATS_*`)."""

    section: ClassVar[str] = "Statistics"

    stats_refresh_s: float = Field(
        default=5.0, ge=0, le=3600, title="Cube freshness",
        description="At most this often (seconds) the offences table is checked for changes since the statistics "
                    "cube was filled, in the background while requests read the cube as it is; 0 checks before "
                    "every request.",
    )
    stats_official_population: int | None = Field(
        default=None, ge=1, le=100_000_000, title="Official population",
        description="Residents of the area by the official figure (statistics bureau), for rates per 10,000 "
                    "when the official population is chosen instead of the city model's.",
    )
    stats_settlement_cell_m: float = Field(
        default=100.0, ge=20, le=5000, title="Settlement hot-spot cell",
        description="Cell size (metres) of the hot-spot grid over the main settlement.",
    )
    stats_area_cell_m: float = Field(
        default=500.0, ge=50, le=10000, title="District hot-spot cell",
        description="Cell size (metres) of the hot-spot grid over the whole administrative district.",
    )
    stats_camera_radius_m: float = Field(
        default=100.0, ge=10, le=1000, title="Camera view radius",
        description="Offences within this distance of a camera count as within its view.",
    )
    stats_camera_window_days: int = Field(
        default=365, ge=30, le=1825, title="Camera comparison window",
        description="Days before and after a camera's installation that are compared.",
    )
