"""Nearest cameras over 10,000 cameras: the grid index beside a brute-force scan of every camera.

Cameras get the optics of their purpose (40–100 m, 20–100°), random headings, 10 % turn (PTZ) and 1 % reach
300–800 m; query points are uniform over the area, half of them placed a few metres from a camera so most queries
have answers. Both methods answer every query; the run fails if they ever disagree. Two layouts: a city district
(10 × 8 km) and everything packed into the town of Aksai (4 × 3 km). Results go to
bench/results/devices_nearest.json and .md with the machine noted.

Usage: .venv/bin/python bench/devices_nearest.py [--cameras 10000] [--queries 2000]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from pathlib import Path
from typing import Any

from event_latency import machine, percentiles

from qorgau.devices import geo
from qorgau.devices.config import DEFAULTS
from qorgau.devices.nearest import Camera, CameraIndex, brute_force
from qorgau.devices.planner import AKSAI_CENTRE

ROOT = Path(__file__).resolve().parents[1]
LAYOUTS = {"district 10 × 8 km": (10_000.0, 8_000.0), "town 4 × 3 km": (4_000.0, 3_000.0)}


def cameras(n: int, width: float, height: float, rng: random.Random) -> list[Camera]:
    purposes = list(DEFAULTS.optics)
    found = []
    for i in range(n):
        purpose = rng.choice(purposes)
        optics = DEFAULTS.optics_for(purpose)
        lon, lat = geo.offset(*AKSAI_CENTRE, rng.uniform(-width / 2, width / 2), rng.uniform(-height / 2, height / 2))
        roll = rng.random()
        heading = None if roll < 0.10 else rng.uniform(0, 360)
        reach = rng.uniform(300, 800) if roll > 0.99 else optics.range_m
        found.append(Camera(f"CAM-{i:05d}", "", "", str(purpose), lon, lat, heading, optics.fov_deg, reach))
    return found


def run(layout: str, n: int, queries: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    width, height = LAYOUTS[layout]
    cams = cameras(n, width, height, rng)
    started = time.perf_counter()
    index = CameraIndex(cams)
    build_ms = (time.perf_counter() - started) * 1000
    points = []
    for k in range(queries):
        if k % 2:
            near = rng.choice(cams)
            points.append(geo.offset(near.lon, near.lat, rng.uniform(-30, 30), rng.uniform(-30, 30)))
        else:
            points.append(geo.offset(*AKSAI_CENTRE, rng.uniform(-width / 2, width / 2),
                                     rng.uniform(-height / 2, height / 2)))
    fast, slow, answers = [], [], []
    for lon, lat in points:
        t0 = time.perf_counter()
        got = index.query(lon, lat, 10)
        t1 = time.perf_counter()
        expected = brute_force(cams, lon, lat, 10)
        t2 = time.perf_counter()
        if [s.camera.code for s in got] != [s.camera.code for s in expected]:
            raise SystemExit(f"index and brute force disagree at {lon}, {lat}")
        fast.append((t1 - t0) * 1000)
        slow.append((t2 - t1) * 1000)
        answers.append(len(got))
    return {"layout": layout, "cameras": n, "queries": queries, "build_ms": round(build_ms, 1),
            "mean_answers": round(statistics.fmean(answers), 2), "index": percentiles(fast, digits=4),
            "brute_force": percentiles(slow, digits=4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cameras", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=2_000)
    args = parser.parse_args()
    rows = [run(layout, args.cameras, args.queries, seed) for seed, layout in enumerate(LAYOUTS, 1)]
    for row in rows:
        print(json.dumps(row))
    record = {"benchmark": "devices_nearest", "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
              "machine": machine(), "target": "p95 < 5 ms over 10,000 cameras", "rows": rows}
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / "devices_nearest.json").write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n")
    lines = ["# Nearest cameras that can see a point\n", f"Machine: {record['machine']}  ",
             f"Run: {record['when']}; {args.cameras} cameras, {args.queries} queries per layout, top 10, "
             "in-process (no HTTP). Every answer of the index equals the brute-force answer.\n",
             "| layout | method | p50 ms | p95 ms | p99 ms | max ms | index build ms | answers per query |",
             "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        for method, name in (("index", "grid index (100 m cells)"), ("brute_force", "baseline: brute force")):
            q = r[method]
            build = r["build_ms"] if method == "index" else "—"
            lines.append(f"| {r['layout']} | {name} | {q['p50_ms']} | {q['p95_ms']} | {q['p99_ms']} | {q['max_ms']} "
                         f"| {build} | {r['mean_answers']} |")
    (results / "devices_nearest.md").write_text("\n".join(lines) + "\n")
    print((results / "devices_nearest.md").read_text())


if __name__ == "__main__":
    main()
