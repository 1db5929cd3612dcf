"""Cross-node wake-up through JetStream against the local wake-up, and the relay's rate into the stream.

One process, one SQLite database (the record every node reads), three transports: the baseline reader woken by the
local datagram socket (a reader on the committing node), node A (`event_transport = jetstream`: local wake-up plus
the relay) and node B, whose reader has no local wake-up at all (another machine) and a 30 s poll, so only the
stream's message wakes it. Each event is committed one per transaction at a fixed rate; both readers' latencies
from commit to batch are recorded for the same event, so the two cases are interleaved by construction. Each round
then commits a burst in one transaction and times the relay moving it into the stream (events/s).

Usage: .venv/bin/python bench/jetstream_relay.py [--events 100] [--rate 20] [--burst 2000] [--rounds 3]
Needs a NATS server with JetStream (NATS_URL, default nats://127.0.0.1:4222). Results: bench/results/jetstream_relay.*
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import harness

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.core.bus.events_for_tests import PROBE, Probe  # noqa: E402

from qorgau.core.bus import Context, publish  # noqa: E402
from qorgau.core.bus.jetstream import RELAY_CURSOR, JetStreamWake  # noqa: E402
from qorgau.core.bus.models import EventCursor  # noqa: E402
from qorgau.core.bus.outbox import head, publish_batch  # noqa: E402
from qorgau.core.bus.transport import OutboxTransport, make_transport  # noqa: E402
from qorgau.core.bus.types import new_event  # noqa: E402
from qorgau.core.bus.wake import WakeSource  # noqa: E402
from qorgau.core.db import Database  # noqa: E402
from qorgau.core.migrate import upgrade  # noqa: E402
from qorgau.settings import Settings  # noqa: E402

NATS_URL = os.environ.get("NATS_URL", "nats://127.0.0.1:4222")


def _commit_one(db: Database, n: int) -> float:
    with db.unit_of_work() as session:
        publish(session, PROBE, subject_id="bench", payload=Probe(n=n), ctx=Context.system("bench"))
    return time.perf_counter()


def _commit_burst(db: Database, count: int) -> int:
    with db.unit_of_work() as session:
        publish_batch(session, [new_event(PROBE, subject_id="burst", payload=Probe(n=n), ctx=Context.system("b"))
                                for n in range(count)])
    with db.reading() as session:
        return head(session)


def _relay_cursor(db: Database) -> int:
    with db.reading() as session:
        cursor = session.get(EventCursor, RELAY_CURSOR)
        return cursor.last_seq if cursor is not None else 0


async def _reader(transport: OutboxTransport, after: int, arrivals: dict[int, float]) -> None:
    async for batch in transport.batches(after):
        now = time.perf_counter()
        for event in batch:
            arrivals.setdefault(event.payload.n, now)


async def _round(db: Database, settings: Settings, stream: str, args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    local = make_transport(settings, db)
    node_a = make_transport(settings.model_copy(update={"event_transport": "jetstream", "jetstream_stream": stream,
                                                         "nats_url": NATS_URL}), db)
    b_wake = JetStreamWake(WakeSource(), db, url=NATS_URL, stream=stream, poll_interval=30.0)
    node_b = OutboxTransport(db, b_wake, poll_interval=30.0)
    for transport in (local, node_a, node_b):
        await transport.start()
    arrivals: dict[str, dict[int, float]] = {"local": {}, "jetstream": {}}
    start = await local.head()
    tasks = [asyncio.create_task(_reader(local, start, arrivals["local"])),  # type: ignore[arg-type]
             asyncio.create_task(_reader(node_b, start, arrivals["jetstream"]))]
    await asyncio.sleep(2.0)  # relays connected, subscriptions in place
    committed: dict[int, float] = {}
    try:
        for n in range(args.events):
            committed[n] = await asyncio.to_thread(_commit_one, db, n)
            await asyncio.sleep(1 / args.rate)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(len(a) < args.events for a in arrivals.values()):
            await asyncio.sleep(0.05)
        burst_started = time.perf_counter()
        last = await asyncio.to_thread(_commit_burst, db, args.burst)
        while await asyncio.to_thread(_relay_cursor, db) < last and time.perf_counter() - burst_started < 120:
            await asyncio.sleep(0.01)
        relay_s = time.perf_counter() - burst_started
    finally:
        for task in tasks:
            task.cancel()
        for transport in (node_b, node_a, local):
            await transport.stop()
    out: dict[str, dict[str, Any]] = {}
    for name, seen in arrivals.items():
        latencies = [(seen[n] - committed[n]) * 1000 for n in committed if n in seen]
        out[name] = {"events": args.events, "rate_per_s": args.rate, "received": len(latencies),
                     **harness.percentiles(latencies)}
    out["jetstream"]["relay_burst"] = args.burst
    out["jetstream"]["relay_events_per_s"] = round(args.burst / relay_s, 1)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100)
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--burst", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    run = harness.Run("jetstream_relay")
    with tempfile.TemporaryDirectory(prefix="qorgau-js-bench-") as tmp:
        settings = Settings(data_dir=Path(tmp), log_json=False, web_dist=Path(tmp) / "no-web")
        upgrade(settings.effective_database_url)
        db = Database(settings.effective_database_url)
        rounds: dict[str, list[dict[str, Any]]] = {"local": [], "jetstream": []}
        for r in range(args.rounds):
            stream = f"QORGAU_BENCH_{uuid.uuid4().hex[:8].upper()}"
            figures = asyncio.run(_round(db, settings, stream, args))
            asyncio.run(_drop_stream(stream))
            for name, value in figures.items():
                rounds[name].append(value)
            print(f"round {r + 1}/{args.rounds}: {figures}", file=sys.stderr, flush=True)
        db.dispose()
    cases = harness.summarise(rounds, baseline="local", metric="p50_ms", ratio_metrics=("p99_ms",))
    notes = ("SQLite record, one process; node B's reader is woken only by the stream (30 s poll otherwise). "
             "No README row: a foundation measurement for the capacity plan of issue 18, not a target.")
    harness.write_result("jetstream_relay", run.finish(cases=cases, readme=[]), notes=notes)


async def _drop_stream(stream: str) -> None:
    import nats

    client = await nats.connect(NATS_URL)
    try:
        await client.jetstream().delete_stream(stream)
    finally:
        await client.close()


if __name__ == "__main__":
    main()
