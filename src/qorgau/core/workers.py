"""Long-running work under a supervisor: a crashed worker is logged, counted and restarted."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from qorgau.core.metrics import Metrics

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Periodic:
    """A blocking job run every ``interval_s`` in a worker thread."""

    name: str
    interval_s: float
    job: Callable[[], object]


class Supervisor:
    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics
        self._tasks: list[asyncio.Task[None]] = []

    def start(self, name: str, factory: Callable[[], Awaitable[None]], *, backoff_s: float = 1.0) -> None:
        self._tasks.append(asyncio.create_task(self._keep_running(name, factory, backoff_s), name=name))

    def every(self, periodic: Periodic) -> None:
        async def loop() -> None:
            while True:
                await asyncio.sleep(periodic.interval_s)
                await asyncio.to_thread(periodic.job)

        self.start(periodic.name, loop)

    async def _keep_running(self, name: str, factory: Callable[[], Awaitable[None]], backoff_s: float) -> None:
        while True:
            try:
                await factory()
                return
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("worker %s crashed; restarting", name)
                self.metrics.worker_restarts.labels(name).inc()
                await asyncio.sleep(backoff_s)

    async def stop(self) -> None:
        await cancel_all(self._tasks)
        self._tasks.clear()


async def cancel_all(tasks: Iterable[asyncio.Task[Any]]) -> None:
    """Cancel the tasks and wait until each has finished."""
    pending = list(tasks)
    for task in pending:
        task.cancel()
    for task in pending:
        with contextlib.suppress(asyncio.CancelledError):
            await task
