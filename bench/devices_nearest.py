"""Nearest cameras over 10,000 cameras: the grid index beside a brute-force scan of every camera.

Cameras get the optics of their purpose (40–100 m, 20–100°), random headings, 10 % turn (PTZ) and 1 % reach
300–800 m; query points are uniform over the area, half of them placed a few metres from a camera so most queries
have answers. Both methods answer every query; the run fails if they ever disagree. Two layouts: a city district
(10 × 8 km) and everything packed into the town of Aksai (4 × 3 km). The index is also timed as the desks ask
it (devices.places: the cameras that see the point, then those standing within 150 m), checked against the
brute-force scan asked the same. Each query point is answered by both
methods one after the other, in `--rounds` rounds of queries (`bench/harness.py`: the median of the rounds, the
per-round ratio). Results: bench/results/devices_nearest.json and .md.

Usage: .venv/bin/python bench/devices_nearest.py [--cameras 10000] [--queries 2000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from typing import Any

import harness

from qorgau.devices import geo
from qorgau.devices.config import DEFAULTS
from qorgau.devices.nearest import Camera, CameraIndex, brute_force
from qorgau.devices.places import NEAR_M
from qorgau.devices.planner import AKSAI_CENTRE

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


def run(layout: str, n: int, queries: int, rounds: int, seed: int) -> dict[str, list[dict[str, Any]]]:
    """Per round, each method's figures over that round's share of the query points (both answer every point)."""
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
    out: dict[str, list[dict[str, Any]]] = {"index": [], "index_near": [], "brute_force": []}
    per_round = queries // rounds
    for r in range(rounds):
        fast, slow, answers, with_near, near_answers = [], [], [], [], []
        for lon, lat in points[r * per_round : (r + 1) * per_round]:
            t0 = time.perf_counter()
            got = index.query(lon, lat, 10)
            t1 = time.perf_counter()
            expected = brute_force(cams, lon, lat, 10)
            t2 = time.perf_counter()
            if [s.camera.code for s in got] != [s.camera.code for s in expected]:
                raise SystemExit(f"index and brute force disagree at {lon}, {lat}")
            t3 = time.perf_counter()
            within = index.query(lon, lat, 10, NEAR_M)
            t4 = time.perf_counter()
            if [s.camera.code for s in within] != [s.camera.code for s in brute_force(cams, lon, lat, 10, NEAR_M)]:
                raise SystemExit(f"index and brute force disagree near {lon}, {lat}")
            fast.append((t1 - t0) * 1000)
            slow.append((t2 - t1) * 1000)
            with_near.append((t4 - t3) * 1000)
            answers.append(len(got))
            near_answers.append(len(within))
        common = {"cameras": n, "queries": len(fast), "mean_answers": round(statistics.fmean(answers), 2)}
        out["index"].append(common | {"build_ms": round(build_ms, 1)} | harness.percentiles(fast, digits=4))
        out["brute_force"].append(common | harness.percentiles(slow, digits=4))
        out["index_near"].append(common | {"mean_answers": round(statistics.fmean(near_answers), 2)}
                                 | harness.percentiles(with_near, digits=4))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cameras", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    run_ = harness.Run("devices_nearest")
    cases: dict[str, Any] = {}
    for seed, layout in enumerate(LAYOUTS, 1):
        rounds = run(layout, args.cameras, args.queries, args.rounds, seed)
        summary = harness.summarise(rounds, baseline="brute_force", metric="p95_ms")
        cases[f"{layout}: index"], cases[f"{layout}: brute force"] = summary["index"], summary["brute_force"]
        cases[f"{layout}: index, also cameras within {NEAR_M:.0f} m"] = summary["index_near"]
    ours = [cases[f"{layout}: index"]["median"]["p95_ms"] for layout in LAYOUTS]
    theirs = [cases[f"{layout}: brute force"]["median"]["p95_ms"] for layout in LAYOUTS]
    layouts = " / ".join(layout.split()[0] for layout in LAYOUTS)
    row = harness.readme_row(
        f"`bench/devices_nearest.py`: cameras that see a point among {args.cameras:,} cameras ({layouts} layouts), "
        "in process", result=f"p95 {' / '.join(f'{v:.3f}' for v in ours)} ms (grid index)",
        baseline=f"brute-force scan: p95 {' / '.join(f'{v:.2f}' for v in theirs)} ms", target="p95 < 5 ms",
        met=max(ours) < 5)
    path = harness.write_result("devices_nearest", run_.finish(cases=cases, readme=[row]),
                                notes="Every answer of the index equals the brute-force answer (the run stops "
                                      "otherwise); top 10 per query.")
    print(path.with_suffix(".md").read_text())


if __name__ == "__main__":
    main()
