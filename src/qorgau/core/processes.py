"""Child processes of Qorgau's own commands: wait until one is ready, stop one politely."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Any

import httpx


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
    process.terminate()
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
