"""Long-running work under a supervisor: a crashed worker is logged, counted and restarted."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from qorgau.core.metrics import Metrics

log = logging.getLogger(__name__)

STOP_TIMEOUT_S = 5.0  # how long a stop waits for cancelled tasks before it goes on without them


@dataclass(frozen=True)
class Periodic:
    """A blocking job run every ``interval_s`` in a worker thread; with ``run_at_stop``, once more as its process
    stops, after everything that could still write (the audit checkpoint anchors the last records)."""

    name: str
    interval_s: float
    job: Callable[[], object]
    run_at_stop: bool = False


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


async def cancel_all(tasks: Iterable[asyncio.Task[Any]], *, timeout_s: float = STOP_TIMEOUT_S) -> None:
    """Cancel the tasks and wait until each has finished, for ``timeout_s`` at most.

    A task that is still running after a cancellation is cancelled again every half second (a cancellation
    can be lost, e.g. to code that catches it); one still running at the deadline is logged with its stack
    and left behind, so that a stop is bounded whatever the tasks do. Being cancelled while waiting here
    cancels the caller, as it should (``await task`` under ``suppress(CancelledError)`` would swallow that).
    """
    tasks = list(tasks)
    pending = {task for task in tasks if not task.done()}
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    rounds = 0
    while pending and (left := deadline - loop.time()) > 0:
        for task in pending:
            task.cancel()
        rounds += 1
        _, pending = await asyncio.wait(pending, timeout=min(left, 0.5))
    for task in pending:
        log.error("task %s did not stop within %.0f s of %d cancellations; left behind at:\n%s",
                  task.get_name(), timeout_s, rounds, _stack_of(task))
    for task in tasks:
        if task.done() and not task.cancelled() and task.exception() is not None:
            log.warning("task %s had failed: %r", task.get_name(), task.exception())


def _stack_of(task: asyncio.Task[Any]) -> str:
    out = io.StringIO()
    task.print_stack(file=out)
    return out.getvalue()
