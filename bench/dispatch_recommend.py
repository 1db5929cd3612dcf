"""Unit recommendation over 100 units on the district drive network, beside two networkx baselines.

The generated Aksai / Burlinsky district model is built in memory (`qorgau.city.aksai.build`). 100 patrol cars
stand on random drivable nodes of the whole district; each query is an incident at another random node. Qorgau's
`recommend` runs one reverse Dijkstra (scipy, transposed graph) and returns the best 5 with ETA and route. Two
baselines with the same weights, in the same interleaved rounds (`bench/harness.py`):
- networkx, one Dijkstra per unit (`dijkstra_path_length` from each unit to the incident: 100 searches a query),
  what a naive dispatcher does;
- networkx, one Dijkstra from the incident over the reversed graph (`single_source_dijkstra_path_length`): the
  same algorithm as Qorgau's, so this one compares implementations, the per-unit one compares algorithms.
The run fails if the best unit's ETA ever differs between them. Results: bench/results/dispatch_recommend.json|md.

Usage: .venv/bin/python bench/dispatch_recommend.py [--units 100] [--queries 300] [--baseline-queries 20]
    [--rounds 3]   (networkx is a development dependency)
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import harness
import networkx as nx
import numpy as np

from qorgau.city.aksai import build
from qorgau.city.enums import Mode
from qorgau.city.graph import CityGraph
from qorgau.units.enums import UnitKind
from qorgau.units.recommend import Candidate, recommend

OURS, PER_UNIT, ONE_SEARCH = "recommend", "networkx_per_unit", "networkx_one_dijkstra"


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
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--baseline-queries", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    run = harness.Run("dispatch_recommend")
    rng = random.Random(102)
    graph = district_graph()
    drive = graph.modes[Mode.DRIVE]
    nodes = drive.snap_nodes.tolist()
    now = datetime.now(UTC)

    def point(node: int) -> tuple[float, float]:
        return float(graph.lon[node]), float(graph.lat[node])

    units = [Candidate(f"PC-{k:03d}", UnitKind.PATROL_CAR, *point(rng.choice(nodes)), now)
             for k in range(args.units)]
    targets = [point(rng.choice(nodes)) for _ in range(args.queries * args.rounds)]
    recommend(graph, targets[0], units, now=now, stale_s=120, lost_s=1800)  # warm-up (imports, caches)
    g = nx_graph(graph)
    reversed_g = g.reverse(copy=True)
    unit_nodes = [int(n) for n in graph.snap([u.lon for u in units], [u.lat for u in units], Mode.DRIVE)[0]]
    best: dict[int, float] = {}

    def queries(r: int, count: int) -> list[int]:
        return list(range(r * args.queries, r * args.queries + count))

    def timed(r: int, count: int, one: Callable[[int], float]) -> dict[str, Any]:
        samples = []
        for k in queries(r, count):
            start = time.perf_counter()
            eta = one(k)
            samples.append((time.perf_counter() - start) * 1000)
            if k in best and not np.isclose(eta, best[k], atol=1e-6):  # both snap onto nodes: no access legs
                raise SystemExit(f"query {k}: best ETA {eta} s here, {best[k]} s in another case")
            best[k] = eta
        return {"queries": len(samples), "units": args.units, **harness.percentiles(samples, digits=3)}

    def ours(k: int) -> float:
        return recommend(graph, targets[k], units, now=now, stale_s=120, lost_s=1800, limit=5)[0].eta_s

    def goal(k: int) -> int:
        (node,), _ = graph.snap(targets[k][0], targets[k][1], Mode.DRIVE)
        return int(node)

    def per_unit(k: int) -> float:
        target, times = goal(k), []
        for node in unit_nodes:
            try:
                times.append(float(nx.dijkstra_path_length(g, node, target)))
            except nx.NetworkXNoPath:
                times.append(float("inf"))
        return min(times)

    def one_search(k: int) -> float:
        reach = nx.single_source_dijkstra_path_length(reversed_g, goal(k))
        return min(float(reach.get(node, float("inf"))) for node in unit_nodes)

    rounds = harness.interleave({OURS: lambda r: timed(r, args.queries, ours),
                                 PER_UNIT: lambda r: timed(r, args.baseline_queries, per_unit),
                                 ONE_SEARCH: lambda r: timed(r, args.baseline_queries, one_search)},
                                rounds=args.rounds)
    cases = harness.summarise(rounds, baseline=ONE_SEARCH, metric="p99_ms")
    cases[OURS]["ratio_to_per_unit"] = harness.ratio(rounds[OURS], rounds[PER_UNIT], "p99_ms")
    cases["network"] = {"drive_nodes": len(nodes), "drive_edges": graph.edge_count(Mode.DRIVE)}
    m = {name: cases[name]["median"] for name in (OURS, PER_UNIT, ONE_SEARCH)}
    row = harness.readme_row(
        f"`bench/dispatch_recommend.py`: best units among {args.units} on the district drive network "
        f"({len(nodes):,} nodes), in process",
        result=f"p99 {harness.ms(m[OURS]['p99_ms'])} (one reverse Dijkstra, scipy, + top-5 routes)",
        baseline=f"networkx, one Dijkstra from the incident on the reversed graph (the same algorithm): p99 "
                 f"{harness.ms(m[ONE_SEARCH]['p99_ms'])}; networkx, one Dijkstra per unit (a different algorithm): "
                 f"p99 {harness.ms(m[PER_UNIT]['p99_ms'])}",
        target="p99 < 10 ms", met=m[OURS]["p99_ms"] < 10)
    path = harness.write_result("dispatch_recommend", run.finish(cases=cases, readme=[row]),
                                notes="Every query's best ETA is the same in all three cases (else the run stops).")
    print(path.with_suffix(".md").read_text())


if __name__ == "__main__":
    main()
