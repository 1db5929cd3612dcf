"""Table of simulation runs: one row per run of `qorgau simulate`, open while it sends heartbeats."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from qorgau.core.db import Base, UTCDateTime


class SimulationRun(Base):
    """A simulation run; active while `ended_at` is null."""

    __tablename__ = "simulation_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(120))
    seed: Mapped[int] = mapped_column(BigInteger)
    scale: Mapped[float] = mapped_column(Float)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    end_reason: Mapped[str | None] = mapped_column(String(16))
    started_by: Mapped[str] = mapped_column(String(120))  # actor ref, e.g. user:3
    # Scenarios, endpoints, and the summary the simulator reports when it ends.
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
