"""Child processes of Qorgau's own commands: start one that cannot outlive us, wait until it is ready, stop it."""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

_PR_SET_PDEATHSIG = 1


def tied_to_this_process() -> Callable[[], None] | None:
    """A ``preexec_fn`` that has the kernel send the child SIGTERM when its parent dies, however it dies (SIGKILL,
    a crash), so that no broker or server of ours is left running without its owner. Linux only (None
    elsewhere). The kernel ties the child to the starting *thread*, so this is only offered to the main thread:
    a child started from a worker thread would be stopped when that thread ends."""
    if not sys.platform.startswith("linux") or threading.current_thread() is not threading.main_thread():
        return None
    parent = os.getpid()

    def tie() -> None:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # the parent died before the tie was made
            os._exit(1)

    return tie


def wait_ready(process: subprocess.Popen[Any], url: str, log_path: Path, what: str, *,
               timeout_s: float = 60.0) -> None:
    """Poll ``url`` (a /readyz) until it answers 200; fail with the log's tail if the process dies or stalls."""
    deadline = time.monotonic() + timeout_s
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited: {log_path.read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} not ready in {timeout_s:.0f} s: {log_path.read_text(errors='replace')[-2000:]}")
        time.sleep(0.2)


def stop_process(process: subprocess.Popen[Any], timeout_s: float = 30.0) -> None:
    """SIGTERM, then SIGKILL if it has not exited within ``timeout_s``."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
