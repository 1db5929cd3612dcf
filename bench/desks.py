"""What the alarm benchmarks share: a fresh Qorgau per case (database, `qorgau serve`, optionally a separate
`qorgau ingest`), and operator desks on the live WebSocket that record when each alarm event reaches them.

A desk records (event name, device code, arrival time) for every event message, in arrival order; the benchmark
matches them to what it sent. Nothing here sleeps for a fixed time: callers wait for the deliveries they expect,
up to a deadline, and report what is missing.
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import harness
import httpx
import websockets
from tests.server import cli_env, free_port, run_cli, running_server, start_ingest

from qorgau.core.aio import within
from qorgau.core.processes import stop_process

PASSWORD = "bench-password-123"
POLL_INTERVAL_MS = 250  # the baseline's readers poll the outbox this often
TRANSPORTS = {"auto": "wake-ups (datagram sockets on SQLite, LISTEN/NOTIFY on PostgreSQL)",
              "poll": "baseline: readers poll the outbox every 250 ms"}


@dataclass
class Stack:
    """One running Qorgau: the server's URL, a signed-in operator's cookie, the ingest's ports when started."""

    base: str
    cookie: str
    env: dict[str, str]
    url: str
    dc09_port: int = 0
    ingest_http_port: int = 0


def _cli(env: dict[str, str], *args: str, stdin: str = "") -> None:
    done = run_cli(env, *args, stdin=stdin)
    if done.returncode != 0:
        raise RuntimeError(f"qorgau {' '.join(args)} failed: {done.stderr[-2000:]}")


@contextmanager
def stack(db_kind: str, transport: str, *, devices_csv: str, ingest: bool, **extra: str) -> Iterator[Stack]:
    """A migrated database with the given devices, an operator account, `qorgau serve` (and `qorgau ingest`)."""
    with tempfile.TemporaryDirectory() as tmp, harness.scratch_database(db_kind, Path(tmp)) as url:
        data = Path(tmp)
        settings = {"QORGAU_EVENT_TRANSPORT": transport, **extra}
        if transport == "poll":
            settings["QORGAU_EVENT_POLL_INTERVAL_S"] = str(POLL_INTERVAL_MS / 1000)
        env = cli_env(data / "var", url, QORGAU_LOG_LEVEL="WARNING", **settings)
        _cli(env, "migrate")
        _cli(env, "user", "add", "bench", "--role", "operator", stdin=PASSWORD + "\n")
        (data / "devices.csv").write_text(devices_csv)
        _cli(env, "devices", "import", str(data / "devices.csv"))
        dc09_port, http_port = free_port(), free_port()
        env.update({"QORGAU_DC09_TCP_PORT": str(dc09_port), "QORGAU_DC09_UDP_PORT": str(dc09_port),
                    "QORGAU_SIP_ENABLED": "false", "QORGAU_INGEST_HTTP_PORT": str(http_port)})
        with running_server(env, data / "server.log") as base:
            ingest_process = start_ingest(env, data / "ingest.log") if ingest else None
            try:
                with httpx.Client(base_url=base) as http:
                    http.post("/api/auth/login", json={"username": "bench", "password": PASSWORD}).raise_for_status()
                    cookie = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
                yield Stack(base, cookie, env, url, dc09_port if ingest else 0, http_port if ingest else 0)
            finally:
                if ingest_process is not None:
                    stop_process(ingest_process)


@dataclass
class Desk:
    """One operator's screen: every event message it received, in order, with its arrival time."""

    # (event name, device code, arrival epoch s, the event's recorded_at: when its publisher made it)
    received: list[tuple[str, str, float, str]] = field(default_factory=list)


class Desks:
    """N operator screens on `/api/events/ws` with batch frames, as the alarm desk asks for them."""

    def __init__(self, stack_: Stack, clients: int, events: str) -> None:
        self.url = stack_.base.replace("http", "ws", 1) + f"/api/events/ws?events={events}&batch=1"
        self.cookie = stack_.cookie
        self.desks = [Desk() for _ in range(clients)]
        self.total = 0
        self._arrived = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    async def __aenter__(self) -> Desks:
        ready = [asyncio.Event() for _ in self.desks]
        self._tasks = [asyncio.create_task(self._run(desk, flag)) for desk, flag in zip(self.desks, ready, strict=True)]
        await within(asyncio.gather(*(flag.wait() for flag in ready)), 30)
        return self

    async def __aexit__(self, *_: object) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _run(self, desk: Desk, ready: asyncio.Event) -> None:
        async with websockets.connect(self.url, additional_headers={"Cookie": self.cookie}, max_size=None,
                                      compression=None) as ws:
            await ws.recv()  # hello
            ready.set()
            async for raw in ws:
                at = time.time()
                frame = json.loads(raw)
                messages = frame["messages"] if frame.get("type") == "batch" else [frame]
                for message in messages:
                    if message.get("type") == "event":
                        event = message["event"]
                        desk.received.append((event["name"], event["payload"].get("device_code") or "", at,
                                              event["recorded_at"]))
                        self.total += 1
                self._arrived.set()

    async def wait_for(self, expected: int, deadline: float) -> bool:
        """Wait until `expected` deliveries in all arrived or the monotonic `deadline` passed."""
        while self.total < expected:
            self._arrived.clear()
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            try:
                await within(self._arrived.wait(), min(left, 1.0))
            except TimeoutError:
                continue
        return True


def load_average() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


def ingest_rejections(stack_: Stack) -> dict[str, int]:
    """The ingest's `qorgau_ingest_rejected_total` by reason (DC-09 adapter)."""
    text = httpx.get(f"http://127.0.0.1:{stack_.ingest_http_port}/metrics", timeout=10).text
    found: dict[str, int] = {}
    for line in text.splitlines():
        if line.startswith("qorgau_ingest_rejected_total{") and 'adapter="sia_dc09"' in line:
            reason = line.split('reason="', 1)[1].split('"', 1)[0]
            found[reason] = int(float(line.rsplit(" ", 1)[1]))
    return found


def summary(values: list[float]) -> dict[str, Any]:
    """p50/p95/p99/max in ms of latencies given in seconds; empty when there are none."""
    if not values:
        return {}
    ordered = sorted(v * 1000 for v in values)

    def at(share: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 1)

    return {"p50_ms": at(0.5), "p95_ms": at(0.95), "p99_ms": at(0.99), "max_ms": round(ordered[-1], 1)}
