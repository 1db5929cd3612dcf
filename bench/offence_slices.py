"""Headline slices over 10 million offence records: the statistics cube beside pandas, and the cube's load rate.

Ten million records are generated straight into arrays (five years, 9 districts, 20 article groups, classes,
severities, statuses, hours), with a fixed seed. The cube is built from those arrays, NOT loaded from the database:
loading 10 M rows into SQLite on this shared 2-core machine takes far longer than the run may. The load rate from
a real database is measured separately (`load`): a temporary SQLite database with --load-rows records, loaded by
`statistics.source.CubeStore` as a server does after a start, extrapolated per million rows.

Cases, interleaved (`bench/harness.py`), each answering the same --queries headline slices per round (period ×
district × article group, with АППГ: totals, by class, by severity, by status, and the clearance inputs):
- `cube`: `statistics.measures.headline` on the cube. Target: every slice < 200 ms.
- `pandas` (baseline): boolean masks on a DataFrame of the same 10 M rows, then groupby sizes.
The run stops if any figure differs. Results: bench/results/offence_slices.json|md.

Usage: .venv/bin/python bench/offence_slices.py [--records 10000000] [--rounds 3] [--queries 12]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import harness
import numpy as np
import pandas as pd
import sqlalchemy as sa

from qorgau.core.db import Database
from qorgau.core.migrate import upgrade
from qorgau.statistics import measures
from qorgau.statistics.cube import CODED, Cube, Segment, day_of
from qorgau.statistics.source import CubeStore

FIRST = date(2021, 1, 1)
DAYS = 5 * 365
LABELS = {"kind": ["criminal", "administrative"], "offence_class": ["crime", "misdemeanour", "administrative"],
          "severity": ["minor", "medium", "grave", "especially_grave"],
          "article_group": [f"group_{k:02d}" for k in range(20)],
          "status": ["investigating", "sent_to_court", "terminated", "interrupted"],
          "termination": ["non_rehabilitating", "rehabilitating"], "settlement": ["Aksai", "Burlin", "Kenterek"],
          "place_type": ["street", "home", "shop", "other"], "district": [str(d) for d in range(1, 10)]}


def generated(n: int, seed: int = 14) -> tuple[Cube, pd.DataFrame]:
    """The cube and a DataFrame of the same n records (codes as small integers in both)."""
    rng = np.random.default_rng(seed)
    cube = Cube(utc_offset_s=5 * 3600)
    codes: dict[str, np.ndarray[Any, Any]] = {}
    for column in CODED:
        vocab = cube.vocab[column]
        wanted = [vocab.code(label) for label in LABELS[column]]
        weights = rng.uniform(0.5, 2.0, len(wanted))
        codes[column] = rng.choice(np.array(wanted, np.int16), n, p=weights / weights.sum())
    day = (day_of(FIRST) + rng.integers(0, DAYS, n)).astype(np.int32)
    hour = rng.integers(0, 24, n).astype(np.int8)
    segment = Segment(ids=np.arange(1, n + 1, dtype=np.int64), day=day, hour=hour,
                      weekday=((day + 3) % 7).astype(np.int8), generated=rng.random(n) < 0.01,
                      identified=rng.random(n) < 0.6, lon=rng.uniform(51.1, 51.2, n).astype(np.float32),
                      lat=rng.uniform(51.1, 51.2, n).astype(np.float32), codes=codes)
    cube.load(segment)
    frame = pd.DataFrame({"day": day, "generated": segment.generated, "identified": segment.identified,
                          **{k: v for k, v in codes.items()}})
    return cube, frame


def queries(cube: Cube, count: int, seed: int) -> list[tuple[measures.Period, int, int]]:
    rng = np.random.default_rng(seed)
    kinds = [measures.PeriodKind.MONTH, measures.PeriodKind.QUARTER, measures.PeriodKind.YTD,
             measures.PeriodKind.YEAR]
    out = []
    for k in range(count):
        anchor = FIRST + timedelta(days=int(rng.integers(366, DAYS)))
        district = cube.vocab["district"].code(str(int(rng.integers(1, 10))))
        group = cube.vocab["article_group"].code(f"group_{int(rng.integers(0, 20)):02d}")
        out.append((measures.resolve(kinds[k % len(kinds)], anchor), district, group))
    return out


def cube_answer(cube: Cube, period: measures.Period, district: int, group: int) -> tuple[int, ...]:
    found = measures.headline(cube, period, where={"district": [district], "article_group": [group]},
                              readings=("department",))
    inputs = found.clearance[0].inputs
    by_class = {p.label: p.counts.current for p in found.by_class}
    classes = tuple(by_class.get(label, 0) for label in sorted(LABELS["offence_class"]))
    return (found.total.current, found.total.previous, *classes, inputs.sent_to_court, inputs.interrupted,
            inputs.terminated_non_rehabilitating)


def pandas_answer(frame: pd.DataFrame, cube: Cube, period: measures.Period, district: int,
                  group: int) -> tuple[int, ...]:
    status, ground = cube.vocab["status"], cube.vocab["termination"]

    def part(p: measures.Period) -> pd.DataFrame:
        mask = ((frame["day"] >= day_of(p.first)) & (frame["day"] <= day_of(p.last)) & ~frame["generated"]
                & (frame["district"] == district) & (frame["article_group"] == group))
        return frame[mask]

    now, before = part(period), part(period.previous_year())
    by_class = now.groupby("offence_class").size()
    by_status = now.groupby("status").size()
    by_ground = now[now["status"] == status.find("terminated")].groupby("termination").size()
    now.groupby("severity").size()
    classes = tuple(int(by_class.get(cube.vocab["offence_class"].find(label), 0))
                    for label in sorted(LABELS["offence_class"]))
    return (len(now), len(before), *classes, int(by_status.get(status.find("sent_to_court"), 0)),
            int(by_status.get(status.find("interrupted"), 0)),
            int(by_ground.get(ground.find("non_rehabilitating"), 0)))


def load_rate(rows: int) -> dict[str, Any]:
    """Seconds to fill the cube from a SQLite offences table of ``rows`` records, and per million."""
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'load.db'}"
        upgrade(url)
        db = Database(url)
        now = datetime(2026, 1, 1, tzinfo=UTC)
        with db.unit_of_work() as session:
            session.execute(sa.text("INSERT INTO offence_articles (code, code_kind, article, part, title_ru, "
                                    "title_kk, title_en, offence_class, severity, article_group, editable) VALUES "
                                    "('UK-188-1', 'uk', 188, 1, 'к', 'ұ', 't', 'crime', 'minor', 'theft', true)"))
        rng = np.random.default_rng(1)
        batch = [{"id": i, "reg": f"R{i}", "day": FIRST + timedelta(days=int(rng.integers(0, DAYS))),
                  "at": now, "d": None} for i in range(1, rows + 1)]
        with db.unit_of_work() as session:
            session.execute(sa.text(
                "INSERT INTO offences (id, reg_number, kind, registered_on, committed_at, article_code, "
                "offence_class, severity, article_group, status, persons_identified, lon, lat, settlement, "
                "district_id, place_type, source, draft, created_at, updated_at) VALUES (:id, :reg, 'criminal', "
                ":day, :at, 'UK-188-1', 'crime', 'minor', 'theft', 'investigating', 1, 51.17, 51.17, 'Aksai', "
                ":d, 'street', 'import', false, :at, :at)"), batch)
        store = CubeStore(db.engine, utc_offset_s=5 * 3600, refresh_s=5)
        started = time.perf_counter()
        cube = store.get()
        seconds = time.perf_counter() - started
        db.dispose()
        if len(cube) != rows:
            raise SystemExit(f"loaded {len(cube)} of {rows}")
        return {"rows": rows, "seconds": round(seconds, 3), "seconds_per_million": round(seconds * 1e6 / rows, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=10_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--queries", type=int, default=12)
    parser.add_argument("--load-rows", type=int, default=200_000)
    args = parser.parse_args()
    run = harness.Run("offence_slices")
    started = time.perf_counter()
    cube, frame = generated(args.records)
    build_s = time.perf_counter() - started

    def case(answer: Any) -> Any:
        def one(r: int) -> dict[str, Any]:
            samples, answers = [], []
            cpu = time.process_time()
            for period, district, group in queries(cube, args.queries, seed=r):
                started = time.perf_counter()
                answers.append(answer(period, district, group))
                samples.append((time.perf_counter() - started) * 1000)
            cpu_ms = (time.process_time() - cpu) * 1000 / args.queries
            results[one].append(answers)
            # CPU time a query beside wall time: on this shared machine the wall time mostly measures the others.
            return {"records": args.records, "queries": args.queries, **harness.percentiles(samples, digits=2),
                    "worst_ms": round(max(samples), 2), "cpu_ms_per_query": round(cpu_ms, 2)}
        results[one] = []
        return one

    results: dict[Any, list[Any]] = {}
    ours = case(lambda p, d, g: cube_answer(cube, p, d, g))
    base = case(lambda p, d, g: pandas_answer(frame, cube, p, d, g))
    rounds = harness.interleave({"cube": ours, "pandas": base}, rounds=args.rounds)
    if results[ours] != results[base]:
        raise SystemExit("the cube and pandas disagree")
    cases = harness.summarise(rounds, baseline="pandas", metric="p50_ms")
    load = load_rate(args.load_rows)
    cases["load"] = {"rounds": [load], "median": load, "cube_build_from_arrays_s": round(build_s, 2)}
    worst = max(r["worst_ms"] for r in rounds["cube"])
    p50 = cases["cube"]["median"]["p50_ms"]
    rows = [harness.readme_row(
        f"`bench/offence_slices.py`: headline slice (period × district × group, with АППГ) over "
        f"{harness.count(args.records)} records (cube from arrays; load from SQLite "
        f"{load['seconds_per_million']} s per million rows)",
        result=f"p50 {harness.ms(p50)}, worst {harness.ms(worst)} "
               f"(CPU {harness.ms(cases['cube']['median']['cpu_ms_per_query'])} a query)",
        baseline=f"pandas p50 {harness.ms(cases['pandas']['median']['p50_ms'])} "
                 f"(CPU {harness.ms(cases['pandas']['median']['cpu_ms_per_query'])})",
        target="< 200 ms", met=worst < 200)]
    harness.write_result("offence_slices", run.finish(cases=cases, readme=rows))


if __name__ == "__main__":
    main()
