"""Unit recommendation over 100 units on the district drive network, beside one networkx Dijkstra per unit.

The generated Aksai / Burlinsky district model is built in memory (`qorgau.city.aksai.build`). 100 patrol cars
stand on random drivable nodes of the whole district; each query is an incident at another random node. Qorgau's
`recommend` runs one reverse Dijkstra (scipy, transposed graph) and returns the best 5 with ETA and route; the
baseline runs `networkx.dijkstra_path_length` from each unit to the incident (100 runs per query), with the same
weights. The run fails if the best unit's ETA of the two ever differs. Results go to
bench/results/dispatch_recommend.json and .md with the machine noted.

Usage: .venv/bin/python bench/dispatch_recommend.py [--units 100] [--queries 500] [--baseline-queries 30]
(networkx is a development dependency: `pip install networkx`.)
"""

from __future__ import annotations

import argparse
import json
import random
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
from event_latency import machine, percentiles

from qorgau.city.aksai import build
from qorgau.city.enums import Mode
from qorgau.city.graph import CityGraph
from qorgau.units.enums import UnitKind
from qorgau.units.recommend import Candidate, recommend

ROOT = Path(__file__).resolve().parents[1]


def district_graph() -> CityGraph:
    data = build()
    e = data.edges
    edges = {"source": np.array([x.source for x in e], dtype=np.int64),
             "target": np.array([x.target for x in e], dtype=np.int64),
             "length_m": np.array([x.length_m for x in e]), "speed_kmh": np.array([x.speed_kmh for x in e]),
             "drive": np.array([x.drive for x in e]), "walk": np.array([x.walk for x in e]),
             "oneway": np.array([x.oneway for x in e])}
    return CityGraph(1, np.array(data.lons), np.array(data.lats), edges)


def nx_graph(graph: CityGraph) -> nx.DiGraph:
    matrix = graph.modes[Mode.DRIVE].matrix.tocoo()
    g = nx.DiGraph()
    g.add_weighted_edges_from(zip(matrix.row.tolist(), matrix.col.tolist(), matrix.data.tolist(), strict=True))
    return g


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--baseline-queries", type=int, default=30)
    args = parser.parse_args()
    rng = random.Random(102)
    graph = district_graph()
    drive = graph.modes[Mode.DRIVE]
    nodes = drive.snap_nodes.tolist()
    now = datetime.now(UTC)

    def point(node: int) -> tuple[float, float]:
        return float(graph.lon[node]), float(graph.lat[node])

    units = [Candidate(f"PC-{k:03d}", UnitKind.PATROL_CAR, *point(rng.choice(nodes)), now)
             for k in range(args.units)]
    targets = [point(rng.choice(nodes)) for _ in range(args.queries)]
    recommend(graph, targets[0], units, now=now, stale_s=120, lost_s=1800)  # warm-up (imports, caches)
    ours, best = [], []
    for target in targets:
        start = time.perf_counter()
        found = recommend(graph, target, units, now=now, stale_s=120, lost_s=1800, limit=5)
        ours.append((time.perf_counter() - start) * 1000)
        best.append(found[0].eta_s)
    g = nx_graph(graph)
    unit_nodes = [int(n) for n in graph.snap([u.lon for u in units], [u.lat for u in units], Mode.DRIVE)[0]]
    baseline = []
    for k, target in enumerate(targets[:args.baseline_queries]):
        (goal,), _ = graph.snap(target[0], target[1], Mode.DRIVE)
        start = time.perf_counter()
        times = []
        for node in unit_nodes:
            try:
                times.append(nx.dijkstra_path_length(g, node, int(goal)))
            except nx.NetworkXNoPath:
                times.append(float("inf"))
        baseline.append((time.perf_counter() - start) * 1000)
        if not np.isclose(min(times), best[k], atol=1e-6):  # both snap exactly onto nodes: no access legs
            raise SystemExit(f"query {k}: networkx best {min(times)} s, recommend {best[k]} s")
    rows: list[dict[str, Any]] = [
        {"method": "recommend (one reverse Dijkstra, scipy) + top-5 routes", "queries": len(ours),
         **percentiles(ours, digits=3)},
        {"method": "baseline: networkx Dijkstra per unit", "queries": len(baseline),
         **percentiles(baseline, digits=1)},
    ]
    result = {"machine": machine(), "run_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
              "units": args.units, "drive_nodes": len(nodes), "drive_edges": graph.edge_count(Mode.DRIVE),
              "rows": rows}
    out = ROOT / "bench" / "results"
    (out / "dispatch_recommend.json").write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    lines = ["# Unit recommendation over the district drive network", "",
             f"Machine: {result['machine']}  ",
             f"Run: {result['run_at']}; {args.units} patrol cars on random drivable nodes of the generated Aksai / "
             f"Burlinsky district model ({result['drive_nodes']} routable nodes, {result['drive_edges']} directed "
             "drive edges); each query an incident at another random node, in-process (no HTTP). The best unit's "
             "ETA equals networkx's on every baseline query.", "",
             "| method | queries | p50 ms | p95 ms | p99 ms | max ms |", "|---|---|---|---|---|---|"]
    lines += [f"| {r['method']} | {r['queries']} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | {r['max_ms']} |"
              for r in rows]
    (out / "dispatch_recommend.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
