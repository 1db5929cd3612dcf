"""The DC-09 ingest's group write in isolation: one group of panel-event rows through `commit_rows`, per database.

The end-to-end benchmark (`bench/ingest_dc09.py`) needs four busy processes on the machine's two cores, and on a
shared machine its run-to-run spread is larger than a change to the writer. This one times only what the writer
process does with a group (open the transaction, insert the rows as the receiver made them, commit), so a change
to the outbox's insert can be measured against the code it replaces, in the same rounds.

Cases (each run interleaved, A B C A B C …; the rows are built before the clock starts):
  copy      the outbox's PostgreSQL insert (`publish_rows`): a lock-and-NOTIFY statement, then COPY;
  one-stmt  the alternative of ADR 0053: `INSERT … SELECT FROM unnest(…)` with binary array parameters and the
            lock and NOTIFY in the same statement (faster here, slower end to end; not taken, see the ADR);
  sqlite    the current SQLite insert (multi-row INSERT), for scale.
Each figure is the median of one round's groups (ms per group, wall clock, commit included, i.e. its fsync).

Usage: .venv/bin/python bench/ingest_dc09_writer.py [--rounds 5] [--groups 150] [--rows 40]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import harness

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from qorgau.core.bus import outbox  # noqa: E402
from qorgau.core.bus.outbox import BatchRow  # noqa: E402
from qorgau.core.db import Database  # noqa: E402
from qorgau.core.migrate import upgrade  # noqa: E402
from qorgau.domains import load_events, load_models  # noqa: E402
from qorgau.ingest.events import PANEL_EVENT  # noqa: E402
from qorgau.ingest.rows import Clock, event_row  # noqa: E402
from qorgau.ingest.sink import commit_rows  # noqa: E402

_COPY = f"COPY events ({outbox._ROW_COLUMNS}) FROM STDIN"


_ROWS = ("unnest(%b::uuid[], %b::varchar[], %b::int[], %b::varchar[], %b::varchar[], %b::timestamptz[],"
         " %b::timestamptz[], %b::json[], %b::json[]) WITH ORDINALITY"
         " AS r(id, name, version, subject_type, subject_id, occurred_at, recorded_at, payload, context, n)")
_ONE_STATEMENT = (
    f"INSERT INTO events ({outbox._ROW_COLUMNS}) SELECT"  # noqa: S608 - constants only
    f" r.id, r.name, r.version, r.subject_type, r.subject_id,"
    f" r.occurred_at, r.recorded_at, r.payload, r.context FROM (SELECT pg_advisory_xact_lock("
    f"{outbox._PG_PUBLISH_LOCK}), pg_notify('{outbox.PG_NOTIFY_CHANNEL}', '')) AS lock CROSS JOIN {_ROWS} ORDER BY r.n"
)


def copy_rows(session: Any, rows: list[BatchRow]) -> None:
    """The outbox's PostgreSQL path: lock and NOTIFY in one round trip, then the rows by COPY."""
    outbox._before_publishing(session)
    driver = session.connection().connection.driver_connection
    with driver.cursor() as cursor, cursor.copy(_COPY) as copy:
        for row in rows:
            copy.write_row(row)
    session.info[outbox._PUBLISHED] = True


def one_statement_rows(session: Any, rows: list[BatchRow]) -> None:
    """ADR 0053's alternative: the rows as binary arrays through `unnest`, the lock and NOTIFY in the statement."""
    driver = session.connection().connection.driver_connection
    with driver.cursor() as cursor:
        cursor.execute(_ONE_STATEMENT, [list(column) for column in zip(*rows, strict=True)], prepare=True)
    session.info[outbox._PUBLISHED] = True


@contextmanager
def database(kind: str) -> Iterator[Database]:
    with harness.scratch_database(kind) as url:
        upgrade(url)
        db = Database(url)
        try:
            yield db
        finally:
            db.dispose()


class Groups:
    """Groups of panel-event rows as the receiver makes them (one frame per panel, a panel time each)."""

    def __init__(self, dialect: str, rows: int) -> None:
        self.dialect, self.rows, self.clock, self.sequence = dialect, rows, Clock(), 0

    def next(self) -> list[BatchRow]:
        now, now_text = self.clock.now()
        out = []
        for panel in range(self.rows):
            self.sequence += 1
            code = f"BENCH-{panel:04d}"
            payload: dict[str, Any] = {
                "device_code": code, "site_code": None, "kind": "alarm", "restore": False, "code": "BA",
                "protocol": "SIA-DCS", "qualifier": None, "zone": "1", "zone_kind": None, "zone_name": None,
                "user": None, "area": None, "account": str(1001 + panel), "receiver": "1", "line": "1",
                "sequence": self.sequence % 10_000, "encrypted": False, "panel_time": now, "location": None,
                "text": None, "verification_url": None, "extended": {}}
            out.append(event_row(self.dialect, PANEL_EVENT, subject_id=code, payload=payload, actor=f"device:{code}",
                                 simulated=False, now=now, now_text=now_text))
        return out


def case(db: Database, args: argparse.Namespace, insert: Callable[[Any, list[BatchRow]], None] | None
         ) -> Callable[[int], dict[str, float]]:
    groups = Groups(db.engine.dialect.name, args.rows)

    def run(_round: int) -> dict[str, float]:
        times = []
        for _ in range(args.groups):
            rows = groups.next()
            started = time.perf_counter()
            if insert is None:
                commit_rows(db, rows, [])
            else:
                with db.unit_of_work() as session:
                    insert(session, rows)
            times.append(time.perf_counter() - started)
        return {"ms_per_group": round(statistics.median(times) * 1000, 3),
                "p90_ms": round(statistics.quantiles(times, n=10)[-1] * 1000, 3),
                "rows_per_s": round(args.rows / statistics.median(times))}

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--groups", type=int, default=150, help="groups per case and round")
    parser.add_argument("--rows", type=int, default=40, help="rows per group (the benchmark's groups: 20-50)")
    args = parser.parse_args()
    load_models()
    load_events()
    run = harness.Run("ingest_dc09_writer")
    with database("postgresql") as pg_old, database("postgresql") as pg_new, database("sqlite") as lite:
        rounds = harness.interleave({"copy": case(pg_old, args, copy_rows),
                                     "one-stmt": case(pg_new, args, one_statement_rows),
                                     "sqlite": case(lite, args, None)}, rounds=args.rounds)
    cases: dict[str, Any] = harness.summarise(rounds, baseline="copy", metric="ms_per_group")
    cases["parameters"] = {"rows_per_group": args.rows, "groups_per_round": args.groups}
    # No README row: this measures one change against the code it replaced, not a target of the issue.
    path = harness.write_result("ingest_dc09_writer", run.finish(cases=cases, readme=[]), notes=NOTES)
    print(path.with_suffix(".md").read_text())


NOTES = """
Wall clock per group, commit (and its fsync) included: on the shared 2-core machine the commit's wait for the
disk and for a core is most of it, so the ratios, taken within each round, are what to read. "copy" and
"one-stmt" are two fresh PostgreSQL databases migrated to head (migration 0030's panel-event trigger included)
on the same server; a ratio below 1 means the current insert is faster.
"""


if __name__ == "__main__":
    main()
