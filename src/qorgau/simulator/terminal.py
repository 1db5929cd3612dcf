"""A simulation run in a terminal: the live table, stop signals, and what was sent and acknowledged, printed.

A run ends at its duration, on SIGINT or SIGTERM (whichever arrives first, terminal or not: a service manager
or a script sends them without one), or when ``stop_when`` says so (the demo: its server has exited). However
it ends, the run's end is reported to the server while it is still there and the summary is returned.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from rich.console import Console
from rich.live import Live

from qorgau.simulator.display import Progress
from qorgau.simulator.runner import SimConfig, Simulation, SimulationError
from qorgau.simulator.scenarios import ScenarioError

log = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
WATCH_EVERY_S = 0.5


def run_simulation(config: SimConfig, *, live: bool, start_at: datetime | None = None,
                   console: Console | None = None, stop_when: Callable[[], str | None] | None = None
                   ) -> dict[str, Any]:
    """Play ``config`` to its end (or a stop signal, or ``stop_when``) and return the summary, which says in
    ``ended_by`` what ended it; the table refreshes every second."""
    console = console or Console(stderr=True)
    simulation = Simulation(config)
    progress = Progress()
    display = Live(console=console, refresh_per_second=2, transient=False) if live else None
    ended_by: list[str] = []

    def tick(sim: Simulation) -> None:
        if display is not None:
            display.update(progress.table(sim))

    async def main() -> dict[str, Any]:
        task = asyncio.current_task()
        if task is None:  # pragma: no cover - asyncio.run runs main() as a task
            raise RuntimeError("no running task")
        loop = asyncio.get_running_loop()

        def stop(reason: str) -> None:
            if ended_by:
                log.info("already stopping (%s); %s ignored", ended_by[0], reason)
                return
            ended_by.append(reason)
            task.cancel()

        # Installed here, not left to Python's default: a process started with SIGINT ignored (a background
        # job of a non-interactive shell) would otherwise never see it, and SIGTERM would kill it unannounced.
        for sig in STOP_SIGNALS:
            loop.add_signal_handler(sig, stop, sig.name)
        watcher = asyncio.create_task(_watch(stop_when, stop)) if stop_when is not None else None
        try:
            with display if display is not None else contextlib.nullcontext():
                summary = await simulation.run(on_tick=tick, start_at=start_at)
            ended_by.append("duration")
            return summary
        finally:
            if watcher is not None:
                watcher.cancel()
            for sig in STOP_SIGNALS:
                loop.remove_signal_handler(sig)

    try:
        summary = asyncio.run(main())
    except (asyncio.CancelledError, KeyboardInterrupt):
        summary = simulation.summary()
    except (SimulationError, ScenarioError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise SystemExit(2) from exc
    return {**summary, "ended_by": ended_by[0] if ended_by else "SIGINT"}


async def _watch(stop_when: Callable[[], str | None], stop: Callable[[str], None]) -> None:
    while (reason := stop_when()) is None:
        await asyncio.sleep(WATCH_EVERY_S)
    stop(reason)


def print_summary(summary: dict[str, Any]) -> None:
    json.dump(summary, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")
    sys.stdout.flush()


def parse_start(value: str | None) -> datetime | None:
    if value is None:
        return None
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
