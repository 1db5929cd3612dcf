"""What every benchmark shares so its figures can be trusted: the machine, interleaved rounds, medians, results.

Noise on a shared 2-core machine is larger than most effects measured here: two back-to-back runs of one case can
differ by 60 %. So cases are never run one after the other in blocks; they are interleaved (A B C A B C …, at
least three rounds), each case is reported as the median of its rounds, and a comparison with the baseline is the
median (and range) of the per-round ratio, both sides measured within the same round.

Use::

    import harness                                     # bench/ is on sys.path when a bench script runs

    run = harness.Run("ingest_dc09")                   # date, machine facts, load average before
    rounds = harness.interleave({"pysiaalarm": lambda r: {"frames_per_s": ...},
                                 "sqlite": lambda r: {"frames_per_s": ...}}, rounds=3)
    cases = harness.summarise(rounds, baseline="pysiaalarm", metric="frames_per_s")
    ratio = cases["sqlite"]["ratio"]["median"]
    rows = [harness.readme_row("`bench/ingest_dc09.py`: …", result=f"{harness.count(...)} frames/s",
                               baseline=..., target="≥ 2× pysiaalarm", met=ratio >= 2)]
    harness.write_result("ingest_dc09", run.finish(cases=cases, readme=rows))

The JSON written to bench/results/<name>.json has exactly these keys::

    {"benchmark": str, "date": ISO-8601 UTC, "machine": {cpu, cores, python, platform, git_commit, git_dirty,
     load_before, load_after}, "rounds": int, "cases": {name: {...figures...}},
     "readme": [{"benchmark": str, "result": str, "baseline": str, "target": str, "met": bool | None}]}

The "readme" strings are formatted by code from the figures of the same JSON (use the formatters below), never
typed: `bench/readme_table.py` copies them into the README and its check fails when a figure of a row is not among
the figures of its JSON. Run parameters (panels, frames, rate) belong in the cases' figures, so that the numbers a
row quotes have something behind them.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
RESULT_KEYS = ("benchmark", "date", "machine", "rounds", "cases", "readme")
README_ROW_KEYS = ("benchmark", "result", "baseline", "target", "met")
PG_BENCH_URL = os.environ.get("PG_BENCH_URL", os.environ.get("PG_TEST_URL", "postgresql://postgres@127.0.0.1:5432/test"))

Figures = Mapping[str, Any]


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def load_average() -> list[float]:
    """The 1/5/15-minute load averages: other work on the machine skews every figure of a run."""
    return [round(value, 2) for value in os.getloadavg()]


def _git(*args: str) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip()


def machine_facts() -> dict[str, Any]:
    """CPU model, cores, Python, OS and the code's commit (dirty when the tree has uncommitted changes)."""
    return {"cpu": cpu_model(), "cores": os.cpu_count(), "python": platform.python_version(),
            "platform": platform.platform(terse=True), "git_commit": _git("rev-parse", "--short=12", "HEAD"),
            "git_dirty": bool(_git("status", "--porcelain", "--untracked-files=no"))}


def now_utc() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class Run:
    """One benchmark run: opened before the first case (date, machine, load before), finished after the last."""

    def __init__(self, benchmark: str) -> None:
        self.benchmark = benchmark
        self.date = now_utc()
        self.machine = machine_facts() | {"load_before": load_average()}

    def finish(self, *, cases: Mapping[str, Any], readme: Sequence[Mapping[str, Any]],
               rounds: int | None = None) -> dict[str, Any]:
        """The result document (schema in the module docstring); ``rounds`` defaults to the cases' round count."""
        if rounds is None:
            counts = {len(c["rounds"]) for c in cases.values() if isinstance(c, Mapping) and "rounds" in c}
            rounds = max(counts) if counts else 1
        return {"benchmark": self.benchmark, "date": self.date,
                "machine": self.machine | {"load_after": load_average()}, "rounds": rounds,
                "cases": dict(cases), "readme": [dict(row) for row in readme]}


def interleave(cases: Mapping[str, Callable[[int], Figures]], *, rounds: int = 3,
               log: Callable[[str], None] | None = None) -> dict[str, list[dict[str, Any]]]:
    """Run the cases A B C A B C … ``rounds`` times; each call gets its round number and returns its figures.

    A slow minute of the machine then falls on every case alike instead of on one case's block of rounds.
    """
    if rounds < 1:
        raise ValueError("at least one round")
    say = log or (lambda text: print(text, file=sys.stderr, flush=True))
    names = list(cases)
    out: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    for r in range(rounds):
        for name in names:
            started = time.perf_counter()
            figures = dict(cases[name](r))
            out[name].append(figures)
            say(f"round {r + 1}/{rounds} {name} ({time.perf_counter() - started:.1f} s): "
                f"{json.dumps(figures, default=str)[:300]}")
    return out


def median_figures(rounds: Sequence[Figures]) -> dict[str, float]:
    """The median of every numeric figure (booleans excluded) that all the rounds report."""
    keys = [k for k, v in rounds[0].items() if isinstance(v, int | float) and not isinstance(v, bool)]
    return {k: _round(statistics.median(float(r[k]) for r in rounds)) for k in keys
            if all(isinstance(r.get(k), int | float) for r in rounds)}


def ratio(case: Sequence[Figures], baseline: Sequence[Figures], metric: str) -> dict[str, Any]:
    """Per-round ratio case/baseline of ``metric`` (same round's pair), with its median and range."""
    per_round = [float(c[metric]) / float(b[metric]) for c, b in zip(case, baseline, strict=True)
                 if float(b[metric]) != 0]
    if not per_round:
        raise ValueError(f"no round with a non-zero baseline {metric}")
    return {"metric": metric, "median": _round(statistics.median(per_round)), "min": _round(min(per_round)),
            "max": _round(max(per_round)), "per_round": [_round(x) for x in per_round]}


def summarise(rounds: Mapping[str, Sequence[Figures]], *, baseline: str, metric: str,
              ratio_metrics: Sequence[str] = ()) -> dict[str, dict[str, Any]]:
    """Each case's rounds, medians and (but the baseline) ratio to the baseline: ``cases`` of the result.

    ``metric`` gives "ratio"; each name in ``ratio_metrics`` gives "ratio_<name>" too (e.g. a latency beside a
    throughput).
    """
    out: dict[str, dict[str, Any]] = {}
    for name, figures in rounds.items():
        entry: dict[str, Any] = {"rounds": [dict(f) for f in figures], "median": median_figures(figures)}
        if name != baseline:
            entry["ratio"] = ratio(figures, rounds[baseline], metric)
            for extra in ratio_metrics:
                entry[f"ratio_{extra}"] = ratio(figures, rounds[baseline], extra)
        out[name] = entry
    return out


def percentiles(samples: Sequence[float], *, digits: int = 2) -> dict[str, float]:
    """p50/p95/p99 and max of samples (milliseconds by convention: the keys end in _ms)."""
    if not samples:
        return {}
    q = statistics.quantiles(samples, n=100, method="inclusive") if len(samples) > 1 else list(samples) * 99
    return {"p50_ms": round(q[49], digits), "p95_ms": round(q[94], digits), "p99_ms": round(q[98], digits),
            "max_ms": round(max(samples), digits)}


def _round(value: float) -> float:
    return float(f"{value:.6g}")


# Formatters: a README row's figures are written with these from the figures of the same result.

def count(value: float) -> str:
    """7937.4 → "7,937"."""
    return f"{value:,.0f}"


def ms(value: float) -> str:
    """A latency in milliseconds, with a precision that fits its size: 0.74 ms, 18 ms, 3,500 ms."""
    if value < 1:
        return f"{value:.2f} ms"
    if value < 10:
        return f"{value:.1f} ms"
    return f"{value:,.0f} ms"


def times(summary: Mapping[str, Any]) -> str:
    """A ratio summary from `ratio` → "1.27× (1.10–1.40)": the median and the range of the rounds."""
    return f"{_ratio(summary['median'])}× ({_ratio(summary['min'])}–{_ratio(summary['max'])})"


def _ratio(value: float) -> str:
    return f"{value:.2f}" if value >= 0.1 else f"{value:.2g}"  # 0.0021, not 0.00


def verdict(met: bool | None) -> str:
    return "" if met is None else ("met" if met else "**not met**")


def readme_row(benchmark: str, *, result: str, baseline: str, target: str, met: bool | None) -> dict[str, Any]:
    """One README row: what is measured, our figures, the baseline's of the same run, the target and its verdict."""
    return {"benchmark": benchmark, "result": result, "baseline": baseline, "target": target, "met": met}


def validate(data: Mapping[str, Any]) -> None:
    """Raise ValueError unless ``data`` has exactly the result schema of the module docstring."""
    if tuple(sorted(data)) != tuple(sorted(RESULT_KEYS)):
        raise ValueError(f"result keys {sorted(data)} are not {sorted(RESULT_KEYS)}")
    if not isinstance(data["rounds"], int) or not isinstance(data["cases"], dict):
        raise ValueError("rounds must be an int and cases an object")
    for key in ("cpu", "cores", "load_before", "load_after"):
        if key not in data["machine"]:
            raise ValueError(f"machine lacks {key}")
    for row in data["readme"]:
        if tuple(sorted(row)) != tuple(sorted(README_ROW_KEYS)):
            raise ValueError(f"readme row keys {sorted(row)} are not {sorted(README_ROW_KEYS)}")
        if not all(isinstance(row[k], str) for k in README_ROW_KEYS[:4]) or row["met"] not in (True, False, None):
            raise ValueError(f"readme row {row['benchmark']!r}: strings and a met of true, false or null")


def write_result(name: str, data: Mapping[str, Any], *, notes: str = "") -> Path:
    """Write bench/results/<name>.json (the schema above) and <name>.md (for people; ``notes`` go only there)."""
    validate(data)
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    (RESULTS / f"{name}.md").write_text(markdown(data, notes=notes), encoding="utf-8")
    return path


def markdown(data: Mapping[str, Any], *, notes: str = "") -> str:
    m = data["machine"]
    dirty = " (uncommitted changes)" if m.get("git_dirty") else ""
    lines = [f"# {data['benchmark']}", "",
             f"Run {data['date']} at commit {m.get('git_commit') or '?'}{dirty}; "
             f"{m['cores']} cores · {m['cpu']} · Python {m.get('python', '?')}; load average before "
             f"{' / '.join(map(str, m['load_before']))}, after {' / '.join(map(str, m['load_after']))}; "
             f"{data['rounds']} interleaved rounds.", ""]
    if notes:
        lines += [notes.strip(), ""]
    for row in data["readme"]:
        lines += [f"- {row['benchmark']}: {row['result']} — baseline: {row['baseline']} — target: {row['target']}"
                  f"{': ' + verdict(row['met']) if row['met'] is not None else ''}"]
    lines += ["", "| case | median figures | ratio to the baseline (median, range) |", "|---|---|---|"]
    for name, case in data["cases"].items():
        if not isinstance(case, Mapping):
            continue
        med = case.get("median", case)  # an entry without rounds holds the run's parameters
        figures = ", ".join(f"{k} {v:g}" for k, v in med.items() if isinstance(v, int | float))
        r = case.get("ratio")
        lines.append(f"| {name} | {figures} | {times(r) + ' of ' + r['metric'] if r else '—'} |")
    return "\n".join(lines) + "\n"


@contextmanager
def scratch_database(kind: str, folder: Path | None = None) -> Iterator[str]:
    """An empty database for one case, as a SQLAlchemy URL: a SQLite file in ``folder`` (a temporary one when none),
    or a PostgreSQL database on PG_BENCH_URL's server, dropped afterwards."""
    if kind == "sqlite":
        if folder is not None:
            yield f"sqlite:///{folder}/qorgau.db"
            return
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{tmp}/qorgau.db"
        return
    import psycopg  # only the PostgreSQL cases need the driver

    name = f"qorgau_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_BENCH_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_BENCH_URL.replace("postgresql://", "postgresql+psycopg://", 1).rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(PG_BENCH_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
