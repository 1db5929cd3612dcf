"""Running a simulation from the command line, with the live table, and printing what was sent and acknowledged."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from datetime import UTC, datetime
from typing import Any

from rich.console import Console
from rich.live import Live

from qorgau.simulator.display import Progress
from qorgau.simulator.runner import SimConfig, Simulation, SimulationError
from qorgau.simulator.scenarios import ScenarioError


def run_simulation(config: SimConfig, *, live: bool, start_at: datetime | None = None,
                   console: Console | None = None) -> dict[str, Any]:
    """Play ``config`` to its end (or Ctrl-C) and return the summary; the table refreshes every second."""
    console = console or Console(stderr=True)
    simulation = Simulation(config)
    progress = Progress()
    display = Live(console=console, refresh_per_second=2, transient=False) if live else None

    def tick(sim: Simulation) -> None:
        if display is not None:
            display.update(progress.table(sim))

    async def main() -> dict[str, Any]:
        with display if display is not None else contextlib.nullcontext():
            return await simulation.run(on_tick=tick, start_at=start_at)

    try:
        return asyncio.run(main())
    except KeyboardInterrupt:
        return simulation.summary()
    except (SimulationError, ScenarioError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise SystemExit(2) from exc


def print_summary(summary: dict[str, Any]) -> None:
    json.dump(summary, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def parse_start(value: str | None) -> datetime | None:
    if value is None:
        return None
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
