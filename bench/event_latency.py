"""Event latency from a separate publishing process to an operator's WebSocket in `qorgau serve`.

For each database, the embedded transport (socket wake-ups on SQLite, LISTEN/NOTIFY on PostgreSQL) runs beside
a poll-only baseline (readers poll the outbox every 250 ms, the budget the issue allows). A child process
commits N events one per transaction at a fixed rate, stamping each with its commit time; the WebSocket client
records arrival. The four cases run interleaved (`bench/harness.py`, `--rounds`). Results:
bench/results/event_latency.json and .md.

Usage: .venv/bin/python bench/event_latency.py [--events 300] [--rate 150] [--db sqlite,postgresql] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import harness
import httpx
import psycopg
from websockets.sync.client import connect

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.server import cli_env, run_cli, running_server  # noqa: E402

PASSWORD = "bench-password-123"
PG_ADMIN = os.environ.get("PG_TEST_URL", "postgresql://postgres@127.0.0.1:5432/test")
PUBLISHER = r"""
import sys, time, uuid
from qorgau.core.bus import Context, EventPayload, event_type, publish
from qorgau.core.bus.wake import install_poker
from qorgau.core.db import Database
from qorgau.settings import load_settings

class Stamp(EventPayload):
    n: int

STAMP = event_type("bench.stamp", Stamp, subject_type="bench", description="benchmark probe")
settings = load_settings()
db = Database(settings.effective_database_url)
install_poker(settings.run_dir)
count, interval = int(sys.argv[1]), float(sys.argv[2])
start = time.perf_counter()
for n in range(count):
    with db.unit_of_work() as session:
        publish(session, STAMP, subject_id=str(n % 10), payload=Stamp(n=n), ctx=Context.system("bench"))
    # the commit instant is what the operator's latency is measured from
    sys.stdout.write(f"{n} {time.time()}\n"); sys.stdout.flush()
    delay = start + (n + 1) * interval - time.perf_counter()
    if delay > 0:
        time.sleep(delay)
"""


def _pg_database() -> str:
    name = f"qorgau_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name


def _drop_pg(name: str) -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_case(db_kind: str, transport: str, events: int, rate: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        pg_name = _pg_database() if db_kind == "postgresql" else None
        url = (PG_ADMIN.replace("postgresql://", "postgresql+psycopg://").rsplit("/", 1)[0] + f"/{pg_name}"
               if pg_name else f"sqlite:///{data}/qorgau.db")
        extra = {"QORGAU_EVENT_TRANSPORT": transport}
        if transport == "poll":
            extra["QORGAU_EVENT_POLL_INTERVAL_S"] = "0.25"
        env = cli_env(data / "var", url, QORGAU_LOG_LEVEL="WARNING", **extra)
        try:
            assert run_cli(env, "migrate").returncode == 0
            assert run_cli(env, "user", "add", "bench", "--role", "admin", stdin=PASSWORD + "\n").returncode == 0
            with running_server(env, data / "server.log") as base:
                with httpx.Client(base_url=base) as http:
                    http.post("/api/auth/login", json={"username": "bench", "password": PASSWORD}).raise_for_status()
                    cookie = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
                arrivals: dict[int, float] = {}
                with connect(base.replace("http", "ws") + "/api/events/ws",
                             additional_headers={"Cookie": cookie}) as ws:
                    ws.recv(timeout=10)

                    def receive() -> None:
                        while len(arrivals) < events:
                            message = json.loads(ws.recv(timeout=30))
                            if message["type"] == "event" and message["event"]["name"] == "bench.stamp":
                                arrivals[message["event"]["payload"]["n"]] = time.time()

                    reader = threading.Thread(target=receive, daemon=True)
                    reader.start()
                    child_env = {**env, "PYTHONPATH": str(ROOT)}
                    out = subprocess.run([sys.executable, "-c", PUBLISHER, str(events), str(1 / rate)],
                                         env=child_env, capture_output=True, text=True, check=True, timeout=600)
                    reader.join(timeout=60)
            committed = {int(n): float(t) for n, t in (line.split() for line in out.stdout.splitlines())}
        finally:
            if pg_name:
                _drop_pg(pg_name)
    latencies = sorted((arrivals[n] - committed[n]) * 1000 for n in committed if n in arrivals)
    return {"database": db_kind, "transport": transport, "events": events, "received": len(latencies),
            "rate_per_s": rate, **percentiles(latencies)}


def percentiles(samples: list[float], *, digits: int = 2, with_max: bool = True) -> dict[str, float]:
    """p50/p95/p99 (and max) of samples in milliseconds: the figures every benchmark here reports."""
    q = statistics.quantiles(samples, n=100) if len(samples) > 1 else samples * 99
    out = {"p50_ms": round(q[49], digits), "p95_ms": round(q[94], digits), "p99_ms": round(q[98], digits)}
    if with_max:
        out["max_ms"] = round(max(samples), digits)
    return out


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return f"{platform.node()} · {os.cpu_count()} cores · {cpu} · Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--rate", type=float, default=150.0)
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    run = harness.Run("event_latency")
    databases = args.db.split(",")

    def case(db_kind: str, transport: str) -> Callable[[int], dict[str, Any]]:
        return lambda _round: run_case(db_kind, transport, args.events, args.rate)

    rounds = harness.interleave({f"{db} {transport}": case(db, transport) for db in databases
                                 for transport in ("auto", "poll")}, rounds=args.rounds)
    cases: dict[str, Any] = {}
    for db in databases:
        cases |= harness.summarise({f"{db} auto": rounds[f"{db} auto"], f"{db} poll": rounds[f"{db} poll"]},
                                   baseline=f"{db} poll", metric="p99_ms")
    label = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    ours = [(label[db], cases[f"{db} auto"]["median"]["p99_ms"]) for db in databases]
    polls = [cases[f"{db} poll"]["median"]["p99_ms"] for db in databases]
    row = harness.readme_row(
        f"`bench/event_latency.py`: commit in another process → operator WebSocket, {args.events} events at "
        f"{args.rate:g}/s", result="p99 " + ", ".join(f"{harness.ms(v)} ({name})" for name, v in ours),
        baseline=f"readers polling every 250 ms: p99 {' / '.join(harness.ms(v) for v in polls)}",
        target="p99 < 250 ms", met=all(v < 250 for _, v in ours))
    notes = ("`auto`: wake-ups (unix datagram on SQLite, LISTEN/NOTIFY on PostgreSQL), the embedded default; "
             "`poll`: readers poll the outbox every 250 ms. One commit per event.")
    path = harness.write_result("event_latency", run.finish(cases=cases, readme=[row]), notes=notes)
    print(path.with_suffix(".md").read_text())


if __name__ == "__main__":
    main()
