"""The simulation's settings: when a run whose simulator fell silent is ended."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from qorgau.core.settings import CoreSettings


class SimulationSettings(CoreSettings):
    """Simulation runs announced by `qorgau simulate` (`QORGAU_SIMULATION_*`)."""

    section: ClassVar[str] = "Simulation"

    simulation_lost_after_s: int = Field(
        default=30, gt=0, title="Simulation run lost after",
        description="A simulation run whose simulator sent no heartbeat for this many seconds is ended as lost "
                    "(the SIMULATION banner goes away).",
    )
