"""Request and response shapes of simulation runs."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from qorgau.simulation.enums import EndReason

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]


class RunCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name = Field(description="What is simulated, e.g. `aksai-evening`.")
    seed: int = Field(ge=0, le=2**63 - 1, description="Random seed: the same seed replays the same run.")
    scale: float = Field(gt=0, le=1000, allow_inf_nan=False, description="Simulated time per real time (1: live).")
    details: dict[str, Any] = Field(default_factory=dict, description="Scenarios, endpoints and whatever the "
                                                                      "simulator wants kept with the run.")


class RunEnd(BaseModel):
    model_config = ConfigDict(extra="forbid")

    summary: dict[str, Any] = Field(default_factory=dict, description="What the run did (counts, checks…); kept "
                                                                      "in `details.summary`.")


class RunRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    seed: int
    scale: float
    started_at: datetime
    last_seen_at: datetime = Field(description="The simulator's last heartbeat (UTC).")
    ended_at: datetime | None
    end_reason: EndReason | None = Field(description="ended (by the simulator) or lost (no heartbeat).")
    started_by: str = Field(description="Who started it: `user:<id>`.")
    details: dict[str, Any]


class SimulationStatus(BaseModel):
    active: bool = Field(description="A simulation is running: desks show the SIMULATION banner.")
    runs: list[RunRead] = Field(description="The active runs, oldest first.")
