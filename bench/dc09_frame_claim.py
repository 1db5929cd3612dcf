"""What migration 0030's frame claim costs the DC-09 group write: the same groups with the trigger on and off.

Each case commits groups of panel-event rows as the receiver makes them (`ingest.sink.commit_group`: the
transaction, the outbox insert, the commit) into a fresh database migrated to head. In the "off" databases the
trigger is disabled (PostgreSQL) or dropped (SQLite), so the difference is the claim alone: a trigger call, three
JSON reads and one index insert per row. Cases run interleaved (A B C D A B C D …); each figure is the median of
one round's groups (ms per group, wall clock, commit and its fsync included).

Usage: .venv/bin/python bench/dc09_frame_claim.py [--rounds 3] [--groups 100] [--rows 40]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import harness
from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from qorgau.core.bus.outbox import BatchRow  # noqa: E402
from qorgau.core.db import Database  # noqa: E402
from qorgau.core.migrate import upgrade  # noqa: E402
from qorgau.domains import load_events, load_models  # noqa: E402
from qorgau.ingest.events import PANEL_EVENT  # noqa: E402
from qorgau.ingest.rows import event_row  # noqa: E402
from qorgau.ingest.sink import commit_group  # noqa: E402


@contextmanager
def database(kind: str, *, claim: bool) -> Iterator[Database]:
    """A fresh database at head; without `claim`, the frame trigger is switched off."""
    with harness.scratch_database(kind) as url:
        upgrade(url)
        db = Database(url)
        if not claim:
            with db.unit_of_work() as session:
                session.execute(text("ALTER TABLE events DISABLE TRIGGER dc09_frame_once" if kind == "postgresql"
                                     else "DROP TRIGGER dc09_frame_once"))
        try:
            yield db
        finally:
            db.dispose()


class Frames:
    """Groups of one-event frames from `rows` panels, each frame a new identity (sequence and panel time)."""

    def __init__(self, dialect: str, rows: int) -> None:
        self.dialect, self.rows, self.sequence = dialect, rows, 0

    def group(self) -> list[BatchRow]:
        now = datetime.now(UTC)
        self.sequence = self.sequence % 9999 + 1
        out = []
        for panel in range(self.rows):
            code = f"BENCH-{panel:04d}"
            payload: dict[str, Any] = {"device_code": code, "kind": "alarm", "code": "BA", "protocol": "SIA-DCS",
                                       "account": str(1001 + panel), "sequence": self.sequence, "panel_time": now,
                                       "extended": {}}
            out.append(event_row(self.dialect, PANEL_EVENT, subject_id=code, payload=payload, actor=f"device:{code}",
                                 simulated=False, now=now))
        return out


def case(db: Database, args: argparse.Namespace) -> Callable[[int], dict[str, float]]:
    frames = Frames(db.engine.dialect.name, args.rows)

    def run(_round: int) -> dict[str, float]:
        times = []
        for _ in range(args.groups):
            rows = frames.group()
            started = time.perf_counter()
            commit_group(db, rows, [])
            times.append(time.perf_counter() - started)
        return {"ms_per_group": round(statistics.median(times) * 1000, 3),
                "rows_per_s": round(args.rows / statistics.median(times))}

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--groups", type=int, default=100, help="groups per case and round")
    parser.add_argument("--rows", type=int, default=40, help="rows per group")
    args = parser.parse_args()
    load_models()
    load_events()
    run = harness.Run("dc09_frame_claim")
    with (database("postgresql", claim=False) as pg_off, database("postgresql", claim=True) as pg_on,
          database("sqlite", claim=False) as lite_off, database("sqlite", claim=True) as lite_on):
        rounds = harness.interleave({"pg-off": case(pg_off, args), "pg-claim": case(pg_on, args),
                                     "sqlite-off": case(lite_off, args), "sqlite-claim": case(lite_on, args)},
                                    rounds=args.rounds)
    pg = harness.summarise({k: v for k, v in rounds.items() if k.startswith("pg")}, baseline="pg-off",
                           metric="ms_per_group")
    lite = harness.summarise({k: v for k, v in rounds.items() if k.startswith("sqlite")}, baseline="sqlite-off",
                             metric="ms_per_group")
    cases: dict[str, Any] = pg | lite
    cases["parameters"] = {"rows_per_group": args.rows, "groups_per_round": args.groups}
    # No README row: the cost of one mechanism against the same code without it, not a target of the issue.
    path = harness.write_result("dc09_frame_claim", run.finish(cases=cases, readme=[]), notes=NOTES)
    print(path.with_suffix(".md").read_text())


NOTES = """
Wall clock per group on the shared 2-core machine (other engineers' test runs beside it: see the load), so read
the ratios, taken within each round, not the absolute times. Each case has its own fresh database on the same
server (PostgreSQL at 127.0.0.1:5432, or a temporary SQLite file).
"""


if __name__ == "__main__":
    main()
