"""API write latency: 200 writes/s offered open loop to `qorgau serve`, beside DC-09 panels, on both databases.

Each case starts its own server (ingest inside it, as `qorgau serve` runs by default, with its writer process),
registers 200 DC-09 panels and 100 cameras, 10 patrol units each with a crew account, an operator, and an
incident. Then, for --seconds, two open-loop loads run side by side:
  - writes at --rate (default 200/s), request j due at start + j / rate whatever the server answered, in the mix
    MIX: camera heartbeats (bearer token, as a camera sends them), unit-app position reports (a crew's session),
    incident notes and alarm acknowledgements (an operator's session; an acknowledgement takes the next alarm the
    panels raised, a note when none is waiting);
  - DC-09 tamper reports from the panels at --dc09-rate frames/s (`bench/open_loop_panels.py`, a process of its
    own; each raises or folds into an alarm).
Latency runs from each request's SCHEDULED time to its response (queueing in the client counts), per route, p50 and
p99; a non-2xx answer is counted as an error of its route, a request the client gave up on after 30 s as a
timeout of its route (a queue that long, not an answer). DC-09 ACK latency likewise from each frame's schedule.
The cases run interleaved (`bench/harness.py`), figures are medians of the rounds.

Each database runs two servers in the same rounds: the code as it is ("committing": a write route runs and
commits its unit of work in one worker thread, `api.transactions`) and the baseline "teardown", the same server
with that switched off, so the write session is committed by the dependency's teardown in a later thread hop, as
before ADR 0054.

Usage: .venv/bin/python bench/api_writes.py [--rate 200] [--seconds 20] [--rounds 3] [--db sqlite,postgresql]
                                            [--variants committing,teardown]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import harness
import httpx
import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from ingest_dc09 import free_port, panels_csv  # noqa: E402
from tests.server import QORGAU, cli_env, run_cli  # noqa: E402

from qorgau.core.processes import wait_ready  # noqa: E402

PG_URL = os.environ.get("PG_TEST_URL", "postgresql://postgres@127.0.0.1:5432/test")
PASSWORD = "bench-password-1"  # a throwaway database's accounts
CAMERAS, UNITS, PANELS = 100, 10, 200
# Route of each slot in a cycle of 20 requests: 10 heartbeats, 6 positions, 2 notes, 2 acknowledgements.
MIX = ("heartbeat", "position", "heartbeat", "note", "heartbeat", "position", "heartbeat", "ack", "heartbeat",
       "position", "heartbeat", "position", "heartbeat", "note", "heartbeat", "position", "heartbeat", "ack",
       "heartbeat", "position")
ROUTES = {"heartbeat": "POST /api/devices/{code}/heartbeat", "position": "POST /api/me/unit/position",
          "note": "POST /api/incidents/{id}/notes", "ack": "POST /api/alarms/{id}/acknowledge"}
LIMITS = httpx.Limits(max_connections=1000, max_keepalive_connections=100)  # open loop: never wait for a socket
CENTRE = (51.1739, 53.0115)  # lat, lon of Aksai


def cameras_csv(path: Path) -> None:
    lines = ["code,kind,name_kk,name_ru,lon,lat,lifecycle,purpose"]
    for i in range(CAMERAS):
        lines.append(f"BCAM-{i:03d},camera,Камера {i},Камера {i},{53.0 + i * 1e-4:.6f},{51.17 + i * 1e-4:.6f},"
                     "commissioned,public_space")
    path.write_text("\n".join(lines) + "\n")


def cli(env: dict[str, str], *args: str, stdin: str = "") -> str:
    done = run_cli(env, *args, stdin=stdin)
    if done.returncode != 0:
        raise RuntimeError(f"qorgau {' '.join(args)}: {done.stderr[-2000:]}")
    return done.stdout


async def session(base: str, username: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base, timeout=30, limits=LIMITS)
    answer = await client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    answer.raise_for_status()
    client.headers["X-CSRF-Token"] = str(answer.json()["csrf_token"])
    return client


async def provision(base: str, token: str) -> dict[str, Any]:
    """Crews for the units, an operator and an incident, made over the API as an installer would."""
    admin = httpx.AsyncClient(base_url=base, timeout=30, headers={"Authorization": f"Bearer {token}"})
    crews: list[httpx.AsyncClient] = []
    for i in range(UNITS):
        user = (await admin.post("/api/users", json={"username": f"crew{i}", "display_name": f"Crew {i}",
                                                     "role": "patrol", "password": PASSWORD})).json()
        made = await admin.post("/api/units", json={"code": f"PB-{i:02d}", "kind": "patrol_car", "name": f"PB {i}",
                                                     "members": [user["id"]]})
        made.raise_for_status()
        crews.append(await session(base, f"crew{i}"))
    await admin.aclose()
    operator = await session(base, "operator")
    incident = await operator.post("/api/incidents", json={"source": "manual", "category": "other",
                                                           "description": "bench"})
    if incident.status_code != 201:
        raise RuntimeError(f"incident: {incident.status_code} {incident.text}")
    return {"crews": crews, "operator": operator, "incident": incident.json()["id"]}


async def drive(base: str, token: str, world: dict[str, Any], rate: float, seconds: float,
                start: float) -> dict[str, Any]:
    """The open-loop writes; returns each route's latencies (ms from its scheduled time) and error count."""
    camera = httpx.AsyncClient(base_url=base, timeout=30, headers={"Authorization": f"Bearer {token}"},
                               limits=LIMITS)
    operator: httpx.AsyncClient = world["operator"]
    latencies: dict[str, list[float]] = {name: [] for name in ROUTES}
    errors: dict[str, int] = dict.fromkeys(ROUTES, 0)
    timeouts: dict[str, int] = dict.fromkeys(ROUTES, 0)
    lags: list[float] = []
    alarms: list[int] = []
    acks_as_notes = 0

    async def refill() -> None:
        while time.time() < start + seconds:
            answer = await operator.get("/api/alarms", params={"state": "new", "limit": 100})
            if answer.status_code == 200:
                seen = set(alarms)
                alarms.extend(a["id"] for a in answer.json()["items"] if a["id"] not in seen)
            await asyncio.sleep(1.0)

    async def one(j: int, due: float) -> None:
        nonlocal acks_as_notes
        await asyncio.sleep(max(0.0, due - time.time()))
        lags.append((time.time() - due) * 1000)  # the client's own lag: a late send is the client's queue
        kind = MIX[j % len(MIX)]
        if kind == "ack" and not alarms:
            kind, acks_as_notes = "note", acks_as_notes + 1
        try:
            if kind == "heartbeat":
                answer = await camera.post(f"/api/devices/BCAM-{j % CAMERAS:03d}/heartbeat", json={})
            elif kind == "position":
                crew = world["crews"][j % UNITS]
                answer = await crew.post("/api/me/unit/position", json={"lon": CENTRE[1] + (j % 97) * 1e-5,
                                                                        "lat": CENTRE[0] + (j % 89) * 1e-5})
            elif kind == "note":
                answer = await operator.post(f"/api/incidents/{world['incident']}/notes", json={"text": f"note {j}"})
            else:
                answer = await operator.post(f"/api/alarms/{alarms.pop(0)}/acknowledge")
            status = answer.status_code
        except httpx.TimeoutException:  # the client's own 30 s limit: a queue that long, not a server error
            status = -1
        except httpx.HTTPError:
            status = 0
        latencies[kind].append((time.time() - due) * 1000)
        if status == -1:
            timeouts[kind] += 1
        elif not 200 <= status < 300 and not (kind == "ack" and status == 409):
            errors[kind] += 1

    poller = asyncio.create_task(refill())
    count = int(rate * seconds)
    await asyncio.gather(*(one(j, start + j / rate) for j in range(count)))
    poller.cancel()
    await camera.aclose()
    return {"latencies": latencies, "errors": errors, "timeouts": timeouts, "acks_as_notes": acks_as_notes,
            "writes": count, "lags": lags}


# The baseline server: `qorgau serve` with the single-thread commit of write routes switched off.
TEARDOWN_SERVE = ("import sys; import qorgau.runtime.server as server; server.commit_in_route_thread = lambda r: 0; "
                  "from qorgau.cli import main; sys.argv[0] = 'qorgau'; main()")


@contextmanager
def serving(env: dict[str, str], log_path: Path, variant: str) -> Iterator[str]:
    """`qorgau serve` (or its baseline variant) until the block ends; yields its base URL."""
    port = free_port()
    command = [QORGAU] if variant == "committing" else [sys.executable, "-c", TEARDOWN_SERVE]
    with open(log_path, "w") as log:
        process = subprocess.Popen([*command, "serve", "--port", str(port)], env=env, stdout=log,
                                   stderr=subprocess.STDOUT, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(process, f"{base}/readyz", log_path, "server", timeout_s=300)  # a loaded machine starts slowly
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run_case(db_kind: str, variant: str, args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        data = Path(tmp)
        pg_name = None
        if db_kind == "postgresql":
            pg_name = f"qorgau_bench_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(PG_URL, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{pg_name}"')
            url = PG_URL.replace("postgresql://", "postgresql+psycopg://").rsplit("/", 1)[0] + f"/{pg_name}"
            stack.callback(_drop_pg, pg_name)
        else:
            url = f"sqlite:///{data}/qorgau.db"
        dc09 = free_port()
        env = cli_env(data / "var", url, QORGAU_LOG_LEVEL="WARNING", QORGAU_INGEST_IN_SERVE="true",
                      QORGAU_DC09_TCP_PORT=str(dc09), QORGAU_DC09_UDP_PORT=str(free_port()),
                      QORGAU_SIP_ENABLED="false", QORGAU_AUDIT_CHECKPOINT_INTERVAL_S="60")
        cli(env, "migrate")
        panels_csv(data / "panels.csv", PANELS)
        cameras_csv(data / "cameras.csv")
        cli(env, "devices", "import", str(data / "panels.csv"))
        cli(env, "devices", "import", str(data / "cameras.csv"))
        cli(env, "user", "add", "bench-admin", "--role", "admin", stdin=f"{PASSWORD}\n{PASSWORD}\n")
        cli(env, "user", "add", "operator", "--role", "operator", stdin=f"{PASSWORD}\n{PASSWORD}\n")
        token = cli(env, "token", "create", "bench-admin", "--name", "bench", "--scope", "devices:write",
                    "--scope", "units:write", "--scope", "users:write").strip().splitlines()[-1].split()[-1]
        base = stack.enter_context(serving(env, args.server_log or data / "server.log", variant))
        return asyncio.run(_measure(base, token, dc09, args, data))


async def _measure(base: str, token: str, dc09: int, args: argparse.Namespace, data: Path) -> dict[str, Any]:
    world = await provision(base, token)
    start = time.time() + 2.0
    out = data / "panels.json"
    panels = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "open_loop_panels.py"), "--port", str(dc09), "--panels", str(PANELS),
         "--rate", str(args.dc09_rate), "--seconds", str(args.seconds), "--malformed", "0",
         "--start-at", f"{start:.6f}", "--out", str(out)], cwd=ROOT)
    try:
        result = await drive(base, token, world, args.rate, args.seconds, start)
        await asyncio.to_thread(panels.wait, args.seconds + 120)
    finally:
        if panels.poll() is None:
            panels.kill()
        for client in [*world["crews"], world["operator"]]:
            await client.aclose()
    frames = json.loads(out.read_text())["frames"]
    acks = [(f[5] - f[3]) * 1000 for f in frames if f[5] is not None]
    figures: dict[str, Any] = {"offered_writes_per_s": args.rate, "seconds": args.seconds,
                               "dc09_offered_per_s": args.dc09_rate, "writes": result["writes"],
                               "acks_as_notes": result["acks_as_notes"]}
    every: list[float] = []
    for kind, samples in result["latencies"].items():
        every += samples
        figures |= {f"{kind}_{k}": v for k, v in harness.percentiles(samples).items()}
        figures[f"{kind}_count"] = len(samples)
        figures[f"{kind}_errors"] = result["errors"][kind]
        figures[f"{kind}_timeouts"] = result["timeouts"][kind]
    figures |= {f"all_{k}": v for k, v in harness.percentiles(every).items()}
    figures |= {f"sender_lag_{k}": v for k, v in harness.percentiles(result["lags"]).items()}
    figures |= {f"dc09_ack_{k}": v for k, v in harness.percentiles(acks).items()}
    figures["dc09_acked"], figures["dc09_frames"] = len(acks), len(frames)
    return figures


def _drop_pg(name: str) -> None:
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def readme_rows(cases: dict[str, Any], args: argparse.Namespace) -> list[dict[str, Any]]:
    parts, baselines, met = [], [], True
    for db_kind in args.db.split(","):
        m = cases[f"{db_kind}/committing"]["median"]
        worst = max(m[f"{kind}_p99_ms"] for kind in ROUTES if f"{kind}_p99_ms" in m)
        errors = sum(m.get(f"{kind}_errors", 0) + m.get(f"{kind}_timeouts", 0) for kind in ROUTES)
        routes = ", ".join(f"{kind} {harness.ms(m[f'{kind}_p99_ms'])}" for kind in ROUTES if f"{kind}_p99_ms" in m)
        # Each route's median over the rounds, as recorded: a sum of medians would be a figure the result lacks.
        failed = ", ".join(f"{kind} {harness.count(m.get(f'{kind}_errors', 0))}" for kind in ROUTES)
        gave_up = ", ".join(f"{kind} {harness.count(m.get(f'{kind}_timeouts', 0))}" for kind in ROUTES)
        parts.append(f"{db_kind}: p99 by route {routes} (all writes p50 {harness.ms(m['all_p50_ms'])}); errors "
                     f"by route {failed}; client timeouts (30 s) by route {gave_up}; panels' ACK p99 "
                     f"{harness.ms(m['dc09_ack_p99_ms'])}")
        met = met and worst < 50 and errors == 0
        teardown = cases.get(f"{db_kind}/teardown")
        if teardown is not None:
            b = teardown["median"]
            baselines.append(f"{db_kind}: commit in the dependency's teardown: all writes p99 "
                             f"{harness.ms(b['all_p99_ms'])}, p50 {harness.ms(b['all_p50_ms'])}")
    return [harness.readme_row(
        f"`bench/api_writes.py`: {harness.count(args.rate)} API writes/s open loop (heartbeats, unit positions, "
        f"notes, alarm acknowledgements) beside {harness.count(args.dc09_rate)} DC-09 frames/s, scheduled → response",
        result="; ".join(parts), baseline="; ".join(baselines) or "none run beside it",
        target="every write route p99 < 50 ms on both databases", met=met)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--dc09-rate", type=float, default=50.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--variants", default="committing,teardown")
    parser.add_argument("--server-log", type=Path, help="keep the server's log here")
    parser.add_argument("--name", default="api_writes", help="result file name (bench/results/NAME.json)")
    args = parser.parse_args()

    def case(db_kind: str, variant: str) -> Callable[[int], dict[str, Any]]:
        return lambda _round: run_case(db_kind, variant, args)

    run = harness.Run("api_writes")
    rounds = harness.interleave({f"{db_kind}/{variant}": case(db_kind, variant) for db_kind in args.db.split(",")
                                 for variant in args.variants.split(",")}, rounds=args.rounds)
    cases = {name: {"rounds": figures, "median": harness.median_figures(figures)} for name, figures in rounds.items()}
    path = harness.write_result(args.name, run.finish(cases=cases, readme=readme_rows(cases, args)))
    print(path.read_text())


if __name__ == "__main__":
    main()
