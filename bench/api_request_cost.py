"""What one API write costs the server, requests sent one at a time: with the credential cache and without it.

The open-loop `bench/api_writes.py` needs a quiet machine (its server must keep up with 200 writes/s); this one
measures the cost of a request itself, which is what sets that throughput. An app (`create_app`, its background
workers running) serves, in process, camera heartbeats (bearer token) and incident notes (an operator's session
cookie and CSRF token) alternately, one after the other. Cases, interleaved per database: "cached" (credentials
resolved once per `principal_cache.TTL_S`) and "uncached" (the baseline: the cache's interval set to zero, every
request reads its credential, as before). Figures: the process's CPU and the database statements per request
(steady on a loaded machine), each route's p50/p99 and the requests per second of the run.

Usage: .venv/bin/python bench/api_request_cost.py [--requests 200] [--rounds 3] [--db sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import harness
import psycopg
from fastapi.testclient import TestClient
from sqlalchemy import event

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from api_writes import PASSWORD, PG_URL, cameras_csv, cli  # noqa: E402
from tests.server import cli_env  # noqa: E402

from qorgau.auth.principal_cache import CACHE, TTL_S  # noqa: E402


@contextmanager
def served(db_kind: str, tmp: Path) -> Iterator[dict[str, Any]]:
    """A migrated database with 100 cameras, an operator and an incident; the app on it, in process."""
    from qorgau.runtime.server import create_app
    from qorgau.settings import Settings

    with ExitStack() as stack:
        if db_kind == "postgresql":
            name = f"qorgau_bench_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(PG_URL, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            stack.callback(_drop_pg, name)
            url = PG_URL.replace("postgresql://", "postgresql+psycopg://").rsplit("/", 1)[0] + f"/{name}"
        else:
            url = f"sqlite:///{tmp}/qorgau.db"
        env = cli_env(tmp / "var", url)
        cli(env, "migrate")
        cameras_csv(tmp / "cameras.csv")
        cli(env, "devices", "import", str(tmp / "cameras.csv"))
        cli(env, "user", "add", "bench-admin", "--role", "admin", stdin=f"{PASSWORD}\n{PASSWORD}\n")
        cli(env, "user", "add", "operator", "--role", "operator", stdin=f"{PASSWORD}\n{PASSWORD}\n")
        token = cli(env, "token", "create", "bench-admin", "--name", "bench", "--scope",
                    "devices:write").strip().splitlines()[-1].split()[-1]
        settings = Settings(data_dir=tmp / "var", database_url=url, log_json=False, log_level="WARNING",
                            web_dist=tmp / "no-web", ingest_in_serve=False)
        client = stack.enter_context(TestClient(create_app(settings), base_url="http://testserver"))
        answer = client.post("/api/auth/login", json={"username": "operator", "password": PASSWORD})
        answer.raise_for_status()
        csrf = str(answer.json()["csrf_token"])
        incident = client.post("/api/incidents", headers={"X-CSRF-Token": csrf},
                               json={"source": "manual", "category": "other", "description": "bench"})
        incident.raise_for_status()
        db = client.app.state.runtime.db  # type: ignore[attr-defined]
        yield {"client": client, "token": token, "csrf": csrf, "incident": incident.json()["id"],
               "engines": [db.engine, db._read_engine]}  # SQLite reads on an engine of their own


def measure(world: dict[str, Any], requests: int, ttl_s: float) -> dict[str, Any]:
    CACHE.ttl_s = ttl_s
    CACHE.clear()
    client: TestClient = world["client"]
    bearer = {"Authorization": f"Bearer {world['token']}"}
    cookie = {"X-CSRF-Token": world["csrf"]}
    samples: dict[str, list[float]] = {"heartbeat": [], "note": []}
    statements = [0]

    def count(*_: Any) -> None:
        statements[0] += 1

    engines = set(world["engines"])
    for engine in engines:
        event.listen(engine, "before_cursor_execute", count)
    started, cpu = time.perf_counter(), time.process_time()
    for j in range(requests):
        t0 = time.perf_counter()
        if j % 2 == 0:
            answer = client.post(f"/api/devices/BCAM-{j % 100:03d}/heartbeat", json={}, headers=bearer)
            kind = "heartbeat"
        else:
            answer = client.post(f"/api/incidents/{world['incident']}/notes", json={"text": f"note {j}"},
                                 headers=cookie)
            kind = "note"
        if answer.status_code >= 300:
            raise RuntimeError(f"{kind}: {answer.status_code} {answer.text[:300]}")
        samples[kind].append((time.perf_counter() - t0) * 1000)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    for engine in engines:
        event.remove(engine, "before_cursor_execute", count)
    # CPU and statements per request hold still when the machine is loaded; the wall-clock figures do not.
    # Both include the app's background work (subscribers reacting to the events), alike in both cases.
    figures: dict[str, Any] = {"requests": requests, "requests_per_s": round(requests / elapsed, 1),
                               "cpu_ms_per_request": round(cpu * 1000 / requests, 2),
                               "statements_per_request": round(statements[0] / requests, 2),
                               "load_1m": harness.load_average()[0]}
    for kind, values in samples.items():
        figures |= {f"{kind}_{k}": v for k, v in harness.percentiles(values).items()}
    return figures


def _drop_pg(name: str) -> None:
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--db", default="sqlite,postgresql")
    args = parser.parse_args()
    run = harness.Run("api_request_cost")
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        worlds = {db_kind: stack.enter_context(served(db_kind, Path(tmp) / db_kind))
                  for db_kind in args.db.split(",")}

        def case(db_kind: str, ttl_s: float) -> Callable[[int], dict[str, Any]]:
            return lambda _round: measure(worlds[db_kind], args.requests, ttl_s)

        plan = {f"{db_kind}/{name}": case(db_kind, ttl) for db_kind in worlds
                for name, ttl in (("uncached", 0.0), ("cached", TTL_S))}
        rounds = harness.interleave(plan, rounds=args.rounds)
    cases: dict[str, Any] = {}
    rows = []
    for db_kind in args.db.split(","):
        part = {name: rounds[name] for name in (f"{db_kind}/uncached", f"{db_kind}/cached")}
        cases |= harness.summarise(part, baseline=f"{db_kind}/uncached", metric="cpu_ms_per_request",
                                   ratio_metrics=("requests_per_s", "statements_per_request"))
        cached = cases[f"{db_kind}/cached"]
        m, b = cached["median"], cases[f"{db_kind}/uncached"]["median"]
        rows.append(harness.readme_row(
            f"`bench/api_request_cost.py` ({db_kind}): API writes one at a time (heartbeats with a token, notes with "
            "a session), credentials kept for a few seconds",
            result=f"{harness.ms(m['cpu_ms_per_request'])} CPU and {m['statements_per_request']} statements per "
                   f"request, {harness.count(m['requests_per_s'])} requests/s; CPU {harness.times(cached['ratio'])} "
                   f"of the baseline's, requests/s {harness.times(cached['ratio_requests_per_s'])}",
            baseline=f"every request reads its credential: {harness.ms(b['cpu_ms_per_request'])} CPU and "
                     f"{b['statements_per_request']} statements per request, {harness.count(b['requests_per_s'])} "
                     "requests/s",
            target="", met=None))
    path = harness.write_result("api_request_cost", run.finish(cases=cases, readme=rows))
    print(path.read_text())


if __name__ == "__main__":
    main()
