"""Vocabulary of simulation runs."""

from __future__ import annotations

from enum import StrEnum


class EndReason(StrEnum):
    """Why a run ended: the simulator said so, or it fell silent past `simulation_lost_after_s`."""

    ENDED = "ended"
    LOST = "lost"


class SimulationAction(StrEnum):
    """Audit actions: who started and stopped simulations."""

    START = "simulation.start"
    END = "simulation.end"
