"""A real `qorgau serve` process on a free port, for end-to-end and browser tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from qorgau.core.processes import stop_process, wait_ready

ROOT = Path(__file__).resolve().parents[1]
QORGAU = str(Path(sys.executable).with_name("qorgau"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cli_env(data_dir: Path, database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("QORGAU_")}
    env.update({"QORGAU_DATA_DIR": str(data_dir), "QORGAU_DATABASE_URL": database_url,
                "QORGAU_LOG_JSON": "false", "QORGAU_AUDIT_CHECKPOINT_INTERVAL_S": "2",
                "QORGAU_INGEST_IN_SERVE": "false", **extra})
    return env


def run_cli(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([QORGAU, *args], input=stdin, env=env, capture_output=True, text=True, timeout=120,
                          check=False)


@contextmanager
def running_server(env: dict[str, str], log_path: Path, *, start_s: float = 60.0,
                   append: bool = False) -> Iterator[str]:
    """Start the server, wait (up to ``start_s``) until /readyz says ready, stop it afterwards; ``append`` keeps
    what an earlier start wrote to the log."""
    port = free_port()
    with open(log_path, "a" if append else "w") as log:
        process = subprocess.Popen([QORGAU, "serve", "--port", str(port)], env=env, stdout=log,
                                   stderr=subprocess.STDOUT, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(process, f"{base}/readyz", log_path, "server", timeout_s=start_s)
        yield base
    finally:
        stop_process(process)


def start_ingest(env: dict[str, str], log_path: Path, *, start_s: float = 60.0) -> subprocess.Popen[bytes]:
    """Start `qorgau ingest` (its HTTP port from QORGAU_INGEST_HTTP_PORT) and wait until it is ready."""
    with log_path.open("ab") as log:
        process = subprocess.Popen([QORGAU, "ingest"], env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        wait_ready(process, f"http://127.0.0.1:{env['QORGAU_INGEST_HTTP_PORT']}/readyz", log_path, "qorgau ingest",
                   timeout_s=start_s)
    except RuntimeError:
        process.kill()
        raise
    return process
