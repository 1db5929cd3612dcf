"""`qorgau serve` and `qorgau ingest` for the HA tests, given longer to start than tests/server.py gives.

On the shared 2-core machine at a load average of 13-15 a server's start took over 60 s; a failover test that
fails because a start was slow measures nothing.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from qorgau.core.processes import stop_process
from tests.server import running_server, start_ingest

START_S = 240.0


@contextmanager
def serving(env: dict[str, str], log_path: Path) -> Iterator[str]:
    """`qorgau serve` on a free port, ready; its base URL (the log is appended to across restarts)."""
    with running_server(env, log_path, start_s=START_S, append=True) as base:
        yield base


@contextmanager
def ingesting(env: dict[str, str], log_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`qorgau ingest`, ready (its HTTP port from QORGAU_INGEST_HTTP_PORT)."""
    process = start_ingest(env, log_path, start_s=START_S)
    try:
        yield process
    finally:
        stop_process(process)
