"""`qorgau video run`: starts the worker processes, restarts a crashed one with backoff, stops them all in time.

Each worker is `python -m qorgau.cli video worker --index I --count N`, tied to the supervisor's life (the
kernel sends it SIGTERM if the supervisor dies) and in a session of its own, so a Ctrl-C reaches the supervisor
alone and the supervisor stops the workers in order.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from qorgau.core.processes import tied_to_this_process

log = logging.getLogger(__name__)

BACKOFF_S = (1.0, 30.0)  # a worker that crashes again at once waits 1 s, doubling up to 30 s
STABLE_AFTER_S = 60.0  # a worker that ran this long starts its backoff over
POLL_S = 0.2


def worker_command(index: int, count: int) -> list[str]:
    return [sys.executable, "-m", "qorgau.cli", "video", "worker", "--index", str(index), "--count", str(count)]


@dataclass
class _Slot:
    index: int
    process: subprocess.Popen[Any] | None = None
    started: float = 0.0
    restart_at: float = 0.0
    delay: float = BACKOFF_S[0]
    restarts: int = 0
    exits: list[int] = field(default_factory=list)


class VideoSupervisor:
    """Keeps ``count`` worker processes running until ``stop`` is set."""

    def __init__(self, count: int, *, grace_s: float, command: Callable[[int, int], list[str]] = worker_command,
                 env: dict[str, str] | None = None, output: IO[bytes] | None = None) -> None:
        self.count = max(1, count)
        self.grace_s = grace_s
        self.command = command
        self.env = env
        self.output = output
        self.slots = [_Slot(index) for index in range(self.count)]

    def _spawn(self, slot: _Slot) -> None:
        slot.process = subprocess.Popen(  # noqa: S603 - our own command line
            self.command(slot.index, self.count), env=self.env, stdout=self.output, stderr=self.output,
            start_new_session=True, preexec_fn=tied_to_this_process())
        slot.started = time.monotonic()
        log.info("video worker %d started (pid %d)", slot.index, slot.process.pid)

    def pids(self) -> list[int | None]:
        return [slot.process.pid if slot.process is not None and slot.process.poll() is None else None
                for slot in self.slots]

    def step(self, now: float | None = None) -> None:
        """Start what is missing, notice what exited, schedule restarts."""
        now = time.monotonic() if now is None else now
        for slot in self.slots:
            if slot.process is None:
                if now >= slot.restart_at:
                    self._spawn(slot)
                continue
            code = slot.process.poll()
            if code is None:
                continue
            slot.exits.append(code)
            slot.process = None
            slot.restarts += 1
            if now - slot.started >= STABLE_AFTER_S:
                slot.delay = BACKOFF_S[0]
            slot.restart_at = now + slot.delay
            log.warning("video worker %d exited with code %d; restarting in %.0f s", slot.index, code, slot.delay)
            slot.delay = min(BACKOFF_S[1], slot.delay * 2)

    def run(self, stop: threading.Event) -> None:
        log.info("video supervisor started", extra={"workers": self.count})
        try:
            while not stop.is_set():
                self.step()
                stop.wait(POLL_S)
        finally:
            self.stop_all()
            log.info("video supervisor stopped")

    def stop_all(self) -> None:
        """SIGTERM every worker, wait for them up to the grace, then SIGKILL the rest."""
        running = [slot.process for slot in self.slots if slot.process is not None and slot.process.poll() is None]
        for process in running:
            process.terminate()
        deadline = time.monotonic() + self.grace_s
        for process in running:
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("video worker pid %d did not stop in time: killed", process.pid)
                process.kill()
                process.wait()
        for slot in self.slots:
            slot.process = None
