"""`qorgau serve` and `qorgau ingest` for the HA tests, given longer to start than tests/server.py gives.

On the shared 2-core machine at a load average of 13-15 a server's start took over 60 s; a failover test that
fails because a start was slow measures nothing.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from qorgau.core.processes import wait_ready
from tests.server import QORGAU, ROOT, free_port

START_S = 240.0


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def serving(env: dict[str, str], log_path: Path) -> Iterator[str]:
    """`qorgau serve` on a free port, ready; its base URL."""
    port = free_port()
    with log_path.open("ab") as log:
        process = subprocess.Popen([QORGAU, "serve", "--port", str(port)], env=env, stdout=log,
                                   stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_ready(process, f"{base}/readyz", log_path, "qorgau serve", timeout_s=START_S)
        yield base
    finally:
        _stop(process)


@contextmanager
def ingesting(env: dict[str, str], log_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`qorgau ingest`, ready (its HTTP port from QORGAU_INGEST_HTTP_PORT)."""
    with log_path.open("ab") as log:
        process = subprocess.Popen([QORGAU, "ingest"], env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        wait_ready(process, f"http://127.0.0.1:{env['QORGAU_INGEST_HTTP_PORT']}/readyz", log_path, "qorgau ingest",
                   timeout_s=START_S)
        yield process
    finally:
        _stop(process)
