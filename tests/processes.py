"""Qorgau's long-running commands as real child processes, started as CI starts them, and how they stop.

CI runs the suite from a non-interactive shell, where a background job starts with SIGINT ignored: the
processes here start that way too (``sigint_ignored``), so a stop that only works in a terminal fails here.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import PASSWORD, ROOT
from tests.server import QORGAU, cli_env, free_port, run_cli

STOP_S = 20.0  # a stop must end well within this; a hang is killed and reported, not waited out


def sigint_ignored() -> None:
    """preexec_fn: what a non-interactive shell does to the commands it starts in the background."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def children(pid: int) -> list[int]:
    """Direct children of ``pid`` (from /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


DEMO_HELPERS = 5  # the broker, the server, the video supervisor, the voice process and the simulator's RTSP server


def _command_line(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text().split("\0")
    except OSError:
        return None  # it has ended


def _long_lived(pid: int) -> bool:
    """A helper, not a passing child: the demo also runs a short ``python -c`` probe for GStreamer's bindings, and
    counting that one once made a test take it for the server (it had exited by the time its command line was read)."""
    argv = _command_line(pid)
    probe = argv is not None and Path(argv[0]).name.startswith("python") and "-c" in argv
    return argv is not None and not probe and running(pid)


def demo_helpers(pid: int, timeout_s: float = 20.0) -> list[int]:
    """The demo's helper processes once all have started (the RTSP server comes with the simulator, a bit later)."""
    deadline = time.monotonic() + timeout_s
    while len(found := [child for child in children(pid) if _long_lived(child)]) < DEMO_HELPERS \
            and time.monotonic() < deadline:
        time.sleep(0.1)
    return found


def helper_running(pids: list[int], word: str) -> int:
    """The one helper among ``pids`` whose command line has ``word`` (e.g. "serve")."""
    (found,) = [pid for pid in pids if word in (_command_line(pid) or [])]
    return found


def running(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_gone(pids: list[int], timeout_s: float = STOP_S) -> list[int]:
    """Wait until none of ``pids`` runs; returns those still running at the deadline."""
    deadline = time.monotonic() + timeout_s
    while (alive := [pid for pid in pids if running(pid)]) and time.monotonic() < deadline:
        time.sleep(0.1)
    return alive


def stop_within(process: subprocess.Popen[bytes], send: Callable[[], None], timeout_s: float = STOP_S
                ) -> tuple[int | None, float]:
    """Send a stop; (exit code, seconds taken), or (None, timeout) when it had to be killed."""
    started = time.monotonic()
    send()
    try:
        code = process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return None, timeout_s
    return code, time.monotonic() - started


def seed_demo_data(data: Path) -> tuple[Path, str]:
    """A database prepared as `./run start` prepares it, with an admin `chief`: (data dir, database URL)."""
    var, url = data / "var", f"sqlite:///{data}/qorgau.db"
    env = cli_env(var, url)
    for command in (["migrate"], ["city", "seed-aksai"], ["devices", "seed-aksai", "--simulated"],
                    ["units", "seed-aksai", "--simulated"], ["user", "add", "chief", "--role", "admin"]):
        result = run_cli(env, *command, stdin=PASSWORD + "\n")
        assert result.returncode == 0, f"{command}: {result.stderr}"
    return var, url


def copy_demo_data(template: Path, target: Path) -> tuple[Path, str]:
    shutil.copytree(template, target)
    return target / "var", f"sqlite:///{target}/qorgau.db"


@dataclass(frozen=True)
class Demo:
    base: str
    process: subprocess.Popen[bytes]
    stdout: Path
    log: Path
    server_log: Path

    def logs(self) -> str:
        """The ends of the demo's log and of its server's log, for failure messages."""
        parts = []
        for path in (self.log, self.stdout, self.server_log):
            text = path.read_text(errors="replace")[-3000:] if path.exists() else "(none)"
            parts.append(f"--- {path.name} ---\n{text}")
        return "\n".join(parts)

    def summary(self) -> dict[str, Any]:
        text = self.stdout.read_text()
        try:
            found: dict[str, Any] = json.loads(text)
        except json.JSONDecodeError as exc:
            raise AssertionError(f"no JSON summary on stdout: {text!r}\n{self.logs()}") from exc
        return found


def start_demo(var: Path, url: str, out: Path, *args: str) -> Demo:
    """`qorgau demo --no-live` on free ports, in a session of its own, started with SIGINT ignored."""
    port, dc09 = free_port(), free_port()
    env = cli_env(var, url, QORGAU_PORT=str(port), QORGAU_INGEST_IN_SERVE="true", QORGAU_DC09_TCP_PORT=str(dc09),
                  QORGAU_DC09_UDP_PORT=str(dc09), QORGAU_SIP_PORT=str(free_port()),
                  QORGAU_VOICE_CONTROL_PORT=str(free_port()), QORGAU_VOICE_TRUNK_PORT=str(free_port()))
    stdout, log = out / "demo.out", out / "demo.log"
    with stdout.open("wb") as output, log.open("wb") as err:
        process = subprocess.Popen([QORGAU, "demo", "--no-live", *args], env=env, stdout=output, stderr=err,
                                   cwd=ROOT, start_new_session=True, preexec_fn=sigint_ignored)
    return Demo(f"http://127.0.0.1:{port}", process, stdout, log, var / "logs" / "server.log")


def wait_active(demo: Demo, timeout_s: float = 180.0) -> None:
    """Wait for /readyz, then for the simulator to announce its run."""
    deadline = time.monotonic() + timeout_s
    client: httpx.Client | None = None
    try:
        while time.monotonic() < deadline:
            if demo.process.poll() is not None:
                raise AssertionError(f"qorgau demo exited with {demo.process.returncode}\n{demo.logs()}")
            try:
                if client is None and httpx.get(f"{demo.base}/readyz", timeout=2).status_code == 200:
                    client = sign_in(demo.base)
                if client is not None and client.get("/api/simulation/status").json()["active"]:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise AssertionError(f"the demo's simulation never became active\n{demo.logs()}")
    finally:
        if client is not None:
            client.close()


def sign_in(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30)
    answer = client.post("/api/auth/login", json={"username": "chief", "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
    return client


def interrupt_group(process: subprocess.Popen[bytes]) -> Callable[[], None]:
    """Ctrl-C as a terminal (or a service manager) sends it: to the whole process group."""
    return lambda: os.killpg(process.pid, signal.SIGINT) if process.poll() is None else None
