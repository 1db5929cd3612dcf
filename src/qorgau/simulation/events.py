"""Events of simulation runs: the desks show and hide the SIMULATION banner on them."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from qorgau.core.bus import EventPayload, event_type
from qorgau.simulation.enums import EndReason


class RunChanged(EventPayload):
    run_id: int = Field(description="The run's id.")
    name: str = Field(description="The run's name.")
    seed: int = Field(description="Its random seed.")
    scale: float = Field(description="Simulated time per real time.")
    started_at: datetime = Field(description="When it started (UTC).")
    ended_at: datetime | None = Field(default=None, description="When it ended (UTC); null while it runs.")
    end_reason: EndReason | None = Field(default=None, description="ended (by the simulator) or lost (silent).")


STARTED = event_type("simulation.started", RunChanged, subject_type="simulation_run",
                     description="A simulation run started: every desk shows the SIMULATION banner.")
ENDED = event_type("simulation.ended", RunChanged, subject_type="simulation_run",
                   description="A simulation run ended, by the simulator or because its heartbeats stopped "
                               "(`lost`); the banner goes when no run is left.")
