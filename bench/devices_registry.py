"""Device registry list over 10,000 devices through the real HTTP API, on SQLite and on PostgreSQL.

A `qorgau serve` process holds 10,000 generated devices (80 % cameras) spread over 10 × 8 km around Aksai, loaded
through `POST /api/devices/import` (its time is recorded too). Each query shape — first page, kind + purpose,
a 1 km bounding box, a 2 km box with kind, health and lifecycle, text search, a page deep in the list — runs
sequentially over one keep-alive connection, bounding boxes and search words drawn at random. Baselines in the
same run: the same queries without the registry's secondary indexes (dropped and recreated in alternating rounds,
so both variants meet the same background load), and a client that fetches every
device (`/api/devices/geojson`) and filters the box itself. Summary and GeoJSON are timed from the server's cache
and right after a change (rebuilt). Each pair of phases (without, with the indexes) is one round of
`bench/harness.py`: the figures are the medians of the rounds' p95, the comparison the per-round ratio. Results:
bench/results/devices_registry.json and .md.

Usage: .venv/bin/python bench/devices_registry.py [--devices 10000] [--requests 200] [--db sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import harness
import httpx
from event_latency import PG_ADMIN, _drop_pg, _pg_database, percentiles
from sqlalchemy import Engine, create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.server import cli_env, run_cli, running_server  # noqa: E402

from qorgau.devices import geo  # noqa: E402
from qorgau.devices.importexport import to_csv  # noqa: E402
from qorgau.devices.planner import AKSAI_CENTRE  # noqa: E402

PASSWORD = "bench-password-123"
WIDTH, HEIGHT = 10_000.0, 8_000.0
SECONDARY_INDEXES = {"ix_devices_kind": "kind", "ix_devices_purpose": "purpose", "ix_devices_health": "health",
                     "ix_devices_lifecycle": "lifecycle", "ix_devices_lon_lat": "lon, lat",
                     "ix_devices_site_id": "site_id"}
ROUNDS = 5  # indexed and index-less phases alternate, so both meet the same background load


def generated_devices(n: int, rng: random.Random) -> list[dict[str, Any]]:
    found = []
    for i in range(1, n + 1):
        lon, lat = geo.offset(*AKSAI_CENTRE, rng.uniform(-WIDTH / 2, WIDTH / 2), rng.uniform(-HEIGHT / 2, HEIGHT / 2))
        roll = rng.random()
        kind = "camera" if roll < 0.8 else "alarm_panel" if roll < 0.9 else "sos_terminal" if roll < 0.95 else \
            "access_point"
        camera = kind == "camera"
        state: dict[str, Any] = {
            "code": f"DEV-{i:05d}", "kind": kind, "name_kk": f"Құрылғы {i}, {i % 300}-аула",
            "purpose": rng.choice(["public_space", "yard", "intersection", "social_object"]) if camera else None,
            "name_ru": f"Устройство {i}, двор {i % 300}", "site_code": None, "lon": round(lon, 6),
            "lat": round(lat, 6), "heading_deg": round(rng.uniform(0, 359), 1) if camera else None, "fov_deg": None,
            "range_m": None, "stream_main": f"rtsp://10.{i // 60000}.{(i // 250) % 240}.{i % 250 + 1}/101"
            if camera else None, "stream_sub": None, "supervision_interval_s": None, "generated": True,
            "lifecycle": rng.choice(["commissioned"] * 8 + ["installed", "planned"]), "identifiers": {}, "zones": [],
            "dc09_local_time": False, "simulated": False,
        }
        if kind == "alarm_panel":
            state["identifiers"] = {"dc09": {"receiver": "1", "line": "2", "account": f"{i:05X}"}}
            state["zones"] = [{"number": 1, "kind": "panic", "name": "Вахта"}]
        found.append(state)
    return found


def _box(rng: random.Random, size_m: float) -> str:
    east, north = rng.uniform(-WIDTH / 2, WIDTH / 2 - size_m), rng.uniform(-HEIGHT / 2, HEIGHT / 2 - size_m)
    low = geo.offset(*AKSAI_CENTRE, east, north)
    high = geo.offset(*AKSAI_CENTRE, east + size_m, north + size_m)
    return f"{low[0]:.6f},{low[1]:.6f},{high[0]:.6f},{high[1]:.6f}"


QUERIES: dict[str, Callable[[random.Random], str]] = {
    "first page (50)": lambda rng: "/api/devices?limit=50",
    "kind + purpose": lambda rng: "/api/devices?kind=camera&purpose=yard&limit=50",
    "bbox 1 km": lambda rng: f"/api/devices?bbox={_box(rng, 1000)}&limit=50",
    "bbox 2 km + kind + health + lifecycle":
        lambda rng: f"/api/devices?bbox={_box(rng, 2000)}&kind=camera&status=unknown&lifecycle=commissioned&limit=100",
    "text search": lambda rng: f"/api/devices?q=двор%20{rng.randint(1, 299)}&limit=50",
    "page deep in the list": lambda rng: "/api/devices?limit=50&cursor=IkRFVi0wNTAwMCI",  # after DEV-05000
}


def _quantiles(samples: list[float]) -> dict[str, float]:
    return percentiles(samples, with_max=False)


def _time(http: httpx.Client, path: str) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    response = http.get(path)
    elapsed = (time.perf_counter() - started) * 1000
    response.raise_for_status()
    return elapsed, response


INDEXED, BARE = "indexed", "baseline: no secondary indexes"


def measure(http: httpx.Client, requests: int, seed: int, engine: Engine) -> dict[str, list[dict[str, float]]]:
    """Each query shape with and without the secondary indexes, in alternating phases: per variant, per round,
    each query's p95 (ms)."""
    found: dict[str, list[dict[str, float]]] = {INDEXED: [], BARE: []}
    rngs = {name: random.Random(seed) for name in QUERIES}
    for round_ in range(ROUNDS * 2):
        # starts with the indexes of the migration in place and ends with them restored
        variant = BARE if round_ % 2 == 0 else INDEXED
        with engine.begin() as conn:
            for index, columns in SECONDARY_INDEXES.items():
                conn.execute(text(f"CREATE INDEX {index} ON devices ({columns})" if variant == "indexed"
                                  else f"DROP INDEX {index}"))
            conn.execute(text("ANALYZE"))
        figures: dict[str, float] = {}
        for name, make in QUERIES.items():
            for _ in range(3):  # warm the connection and the plan
                _time(http, make(rngs[name]))
            samples = [_time(http, make(rngs[name]))[0] for _ in range(requests // ROUNDS)]
            figures[f"{name}: p95_ms"] = _quantiles(samples)["p95_ms"]
        found[variant].append(figures)
    return found


def after_change(http: httpx.Client, path: str, requests: int) -> list[float]:
    """Latency of ``path`` right after a registry change, which makes the server rebuild its cached answer."""
    samples = []
    for n in range(requests):
        http.patch("/api/devices/DEV-00001", json={"name_ru": f"Устройство 1 ({n})"}).raise_for_status()
        samples.append(_time(http, path)[0])
    return samples


def client_side_box(http: httpx.Client, requests: int, seed: int) -> dict[str, float]:
    """Baseline: fetch every device and keep those in the box, as a client without server filters would."""
    rng = random.Random(seed)
    samples = []
    for _ in range(requests):
        low_lon, low_lat, high_lon, high_lat = map(float, _box(rng, 1000).split(","))
        started = time.perf_counter()
        features = http.get("/api/devices/geojson").json()["features"]
        inside = [f for f in features if low_lon <= f["geometry"]["coordinates"][0] <= high_lon
                  and low_lat <= f["geometry"]["coordinates"][1] <= high_lat]
        sorted(inside, key=lambda f: f["id"])[:50]
        samples.append((time.perf_counter() - started) * 1000)
    return _quantiles(samples)


def run_database(db_kind: str, devices: int, requests: int) -> dict[str, Any]:
    """The cases of one database: indexed and index-less rounds, and the figures measured once beside them."""
    cases: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        pg_name = _pg_database() if db_kind == "postgresql" else None
        url = (PG_ADMIN.replace("postgresql://", "postgresql+psycopg://").rsplit("/", 1)[0] + f"/{pg_name}"
               if pg_name else f"sqlite:///{data}/qorgau.db")
        env = cli_env(data / "var", url, QORGAU_LOG_LEVEL="WARNING")
        try:
            assert run_cli(env, "migrate").returncode == 0
            assert run_cli(env, "user", "add", "bench", "--role", "admin", stdin=PASSWORD + "\n").returncode == 0
            payload = to_csv(generated_devices(devices, random.Random(7))).encode()
            with running_server(env, data / "server.log") as base, httpx.Client(base_url=base, timeout=600) as http:
                session = http.post("/api/auth/login", json={"username": "bench", "password": PASSWORD})
                http.headers["X-CSRF-Token"] = session.json()["csrf_token"]
                started = time.perf_counter()
                imported = http.post("/api/devices/import", content=payload, headers={"Content-Type": "text/csv"})
                import_s = time.perf_counter() - started
                assert imported.status_code == 200, imported.text[:2000]
                assert imported.json()["created"] == devices
                engine = create_engine(url)
                with engine.begin() as conn:
                    conn.execute(text("ANALYZE"))
                rounds = measure(http, requests, 1, engine)
                engine.dispose()
                summary = harness.summarise(rounds, baseline=BARE, metric="bbox 1 km: p95_ms")
                cases[f"{db_kind} {INDEXED}"], cases[f"{db_kind} {BARE}"] = summary[INDEXED], summary[BARE]
                once: dict[str, float] = {"devices": devices, "import_s": round(import_s, 2),
                                          "import_bytes": len(payload)}
                for name, path in (("summary", "/api/devices/summary"), ("geojson", "/api/devices/geojson")):
                    _time(http, path)  # fills the cache; its cost is what "rebuilt" measures
                    once[f"{name} cached: p95_ms"] = _quantiles(
                        [_time(http, path)[0] for _ in range(max(20, requests // 4))])["p95_ms"]
                    once[f"{name} rebuilt after a change: p95_ms"] = _quantiles(
                        after_change(http, path, max(10, requests // 20)))["p95_ms"]
                rng = random.Random(3)
                points = [geo.offset(*AKSAI_CENTRE, rng.uniform(-4000, 4000), rng.uniform(-3000, 3000))
                          for _ in range(requests)]
                _time(http, "/api/devices/nearest-cameras?lon=53&lat=51.17")  # builds the index once
                once["nearest-cameras: p95_ms"] = _quantiles(
                    [_time(http, f"/api/devices/nearest-cameras?lon={p[0]}&lat={p[1]}")[0] for p in points])["p95_ms"]
                once["client fetches all, filters a 1 km box: p95_ms"] = client_side_box(
                    http, max(20, requests // 10), 1)["p95_ms"]
                cases[f"{db_kind} measured once"] = once
        finally:
            if pg_name:
                _drop_pg(pg_name)
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--devices", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--db", default="sqlite,postgresql")
    args = parser.parse_args()
    run = harness.Run("devices_registry")
    kinds = args.db.split(",")
    cases: dict[str, Any] = {}
    for db_kind in kinds:
        cases |= run_database(db_kind, args.devices, args.requests)
    label = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    lists = list(QUERIES)

    def span(case: str) -> tuple[float, float]:
        values = [cases[case]["median"][f"{name}: p95_ms"] for name in lists]
        return min(values), max(values)

    ours = {db: span(f"{db} {INDEXED}") for db in kinds}
    bare = {db: span(f"{db} {BARE}") for db in kinds}
    client = [cases[f"{db} measured once"]["client fetches all, filters a 1 km box: p95_ms"] for db in kinds]
    row = harness.readme_row(
        f"`bench/devices_registry.py`: list with filters, bounding boxes, search and paging over "
        f"{args.devices:,} devices via HTTP ({len(lists)} query shapes)",
        result="p95 " + ", ".join(f"{lo:.0f}–{hi:.0f} ms ({label[db]})" for db, (lo, hi) in ours.items()),
        baseline="the same without the secondary indexes: p95 "
                 + ", ".join(f"{lo:.0f}–{hi:.0f} ms" for lo, hi in bare.values())
                 + f"; a client that fetches all and filters: p95 {' / '.join(f'{v:.0f}' for v in client)} ms",
        target="p95 < 50 ms", met=all(hi < 50 for _, hi in ours.values()))
    notes = (f"{args.requests} sequential requests per query shape and variant over one keep-alive connection, "
             f"in {ROUNDS} rounds of each variant; summary, GeoJSON, nearest cameras and the client-side baseline "
             "measured once per database with the indexes in place.")
    path = harness.write_result("devices_registry", run.finish(cases=cases, readme=[row], rounds=ROUNDS), notes=notes)
    print(path.with_suffix(".md").read_text())


if __name__ == "__main__":
    main()
