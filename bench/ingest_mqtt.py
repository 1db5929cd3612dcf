"""MQTT ingest, open loop: a publisher process → Mosquitto → MqttAdapter → group commit → PUBACK.

Each case of each round starts its own Mosquitto on a free port (persistence on, the documented ACL) and one
open-loop publisher process (`bench/mqtt_publisher.py`) that sends QoS 1 access events on a fixed schedule at the
offered rate (default 5,000 messages/s), whatever the subscriber acknowledges. Latency runs from each message's
SCHEDULED send time (carried in its payload) to the moment Qorgau queues its PUBACK, which is after the
transaction holding its event committed; the adapter runs as `qorgau ingest` runs it, with the group commit in a
writer process. 1 % of the messages are malformed (bad JSON, schema violation, unknown topic kind, oversize):
none may be stored, and the adapter must count each by reason (its Prometheus counters). Durability is checked
per message: the set of event ids Qorgau acknowledged must equal the set stored, and the set of good messages
sent. The baseline is a bare paho subscriber that acknowledges on receipt and persists nothing.

Cases run interleaved (`bench/harness.py`: baseline, sqlite, postgresql, baseline, …); figures are the medians of
the rounds. Results: bench/results/ingest_mqtt.json and .md.

Usage: .venv/bin/python bench/ingest_mqtt.py [--rate 5000] [--seconds 8] [--rounds 3] [--db sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import harness
import paho.mqtt.client as mqtt
import psycopg
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from prometheus_client import CollectorRegistry
from sqlalchemy import select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from event_latency import PG_ADMIN  # noqa: E402
from tests.ingest.adapters.mqtt.conftest import (  # noqa: E402
    DEVICES,
    PREFIX,
    QORGAU_PASSWORD,
    QORGAU_USER,
    Broker,
    add_device,
    mqtt_config,
)

from qorgau.core.bus.models import OutboxEvent  # noqa: E402
from qorgau.core.crypto import configure_keyring, load_keyring  # noqa: E402
from qorgau.core.db import Database  # noqa: E402
from qorgau.core.migrate import upgrade  # noqa: E402
from qorgau.domains import load_events, load_models  # noqa: E402
from qorgau.ingest.adapters.mqtt.adapter import MqttAdapter  # noqa: E402
from qorgau.ingest.adapters.mqtt.parser import Accepted, dedupe_id  # noqa: E402
from qorgau.ingest.directory import Directory  # noqa: E402
from qorgau.ingest.events import ACCESS_EVENT  # noqa: E402
from qorgau.ingest.hub import IngestHub  # noqa: E402
from qorgau.ingest.metrics import IngestMetrics  # noqa: E402
from qorgau.ingest.sink import Sink  # noqa: E402
from qorgau.ingest.writer_process import RemoteWriter  # noqa: E402
from qorgau.protocols.mqtt.schemas import TopicKind  # noqa: E402
from qorgau.settings import Settings  # noqa: E402

BASELINE = "paho"
MALFORMED_EVERY = 100  # 1 %
MALFORMED_REASONS = {"bad_json": "bad_json", "schema": "schema", "bad_topic": "bad_topic", "oversize": "oversize"}
DRAIN_S = 30.0  # after the last scheduled message, how long the missing acknowledgements are waited for
LEAD_S = 1.0  # the publisher's schedule starts this long after it is launched


class Recorder:
    """Latency from each good message's scheduled time to its acknowledgement, and which ones were acknowledged."""

    def __init__(self, good: int) -> None:
        self.good = good
        self.latencies: list[float] = []
        self.acked: set[str] = set()
        self.last = 0.0
        self.done = threading.Event()
        self._lock = threading.Lock()

    def record(self, key: str, scheduled_ns: int) -> None:
        now_ns = time.time_ns()
        with self._lock:
            self.latencies.append((now_ns - scheduled_ns) / 1e6)
            self.acked.add(key)
            self.last = now_ns / 1e9
            if len(self.latencies) >= self.good:
                self.done.set()


def good_count(total: int) -> int:
    return total - total // MALFORMED_EVERY


def publish(broker: Broker, rate: float, total: int) -> tuple[subprocess.Popen[str], float]:
    start = time.time() + LEAD_S
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "mqtt_publisher.py"), str(broker.port), "acc-01", DEVICES["acc-01"],
         PREFIX, "acc-01", str(rate), str(total), f"{start:.6f}", "--malformed-every", str(MALFORMED_EVERY)],
        stdout=subprocess.PIPE, text=True)
    return proc, start


def publisher_report(proc: subprocess.Popen[str]) -> dict[str, Any]:
    out, _ = proc.communicate(timeout=600)
    return dict(json.loads(out))


def figures(recorder: Recorder, rate: float, total: int, start: float, report: dict[str, Any]) -> dict[str, Any]:
    span = recorder.last - start
    return {"offered_per_s": rate, "seconds": round(total / rate, 2), "messages": total, "good": recorder.good,
            "acked_good": len(recorder.latencies),
            "good_per_s": round(len(recorder.latencies) / span, 1) if span > 0 else 0.0,
            "publisher_late_ms_max": report["late_ms_max"], **harness.percentiles(recorder.latencies)}


def run_baseline(rate: float, total: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        broker = Broker(Path(tmp))
        broker.start()
        recorder = Recorder(good_count(total))
        client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="bench-baseline",
                             protocol=MQTTProtocolVersion.MQTTv5)
        client.username_pw_set(QORGAU_USER, QORGAU_PASSWORD)

        def on_message(client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
            try:
                body = json.loads(message.payload)
                if message.topic.endswith("/access") and body["action"] == "denied" and len(message.payload) < 1024:
                    recorder.record(body["event_id"], int(body["reason"][1:]))
            except (ValueError, KeyError):
                pass

        client.on_message = on_message
        client.on_connect = lambda c, *_: c.subscribe(f"{PREFIX}/+/+", qos=1)
        client.connect("127.0.0.1", broker.port)
        client.loop_start()
        time.sleep(0.5)
        try:
            proc, start = publish(broker, rate, total)
            report = publisher_report(proc)
            recorder.done.wait(timeout=DRAIN_S)
        finally:
            client.disconnect()
            client.loop_stop()
            broker.stop()
    return figures(recorder, rate, total, start, report)


class TimedAdapter(MqttAdapter):
    """The adapter, noting each event acknowledged (its PUBACK is queued right after its commit)."""

    recorder: Recorder

    def _committed(self, mid: int, qos: int, generation: int, result: Accepted, error: BaseException | None) -> None:
        super()._committed(mid, qos, generation, result, error)
        if error is None and result.events:
            event = result.events[0]
            self.recorder.record(str(event.id), int(event.payload.reason[1:]))


def _database(db_kind: str, data: Path) -> tuple[str, str | None]:
    if db_kind != "postgresql":
        return f"sqlite:///{data}/qorgau.db", None
    name = f"qorgau_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return PG_ADMIN.replace("postgresql://", "postgresql+psycopg://").rsplit("/", 1)[0] + f"/{name}", name


async def run_adapter(db_kind: str, rate: float, total: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        url, pg_name = _database(db_kind, data)
        try:
            upgrade(url)
            settings = Settings(data_dir=data / "var", database_url=url, log_json=False, web_dist=data / "none",
                                ingest_in_serve=False)
            settings.data_dir.mkdir(parents=True)
            load_models()
            load_events()
            configure_keyring(load_keyring(settings))
            db = Database(settings.effective_database_url)
            add_device(db, "ACC-01", "access_point", "acc-01")
            broker = Broker(data / "broker")
            broker.directory.mkdir()
            broker.start()
            directory = Directory(db)
            registry = CollectorRegistry()
            metrics = IngestMetrics(registry)
            # As `qorgau ingest` runs it: the group commit in a writer process of its own.
            sink = Sink(db, directory, metrics, max_batch=settings.ingest_max_batch, remote=RemoteWriter(settings))
            hub = IngestHub(settings=settings, db=db, directory=directory, sink=sink, metrics=metrics)
            adapter = TimedAdapter(mqtt_config(settings, broker))
            adapter.recorder = recorder = Recorder(good_count(total))
            await directory.start()
            await asyncio.to_thread(sink.start)
            await adapter.start(hub)
            try:
                proc, start = publish(broker, rate, total)
                report = await asyncio.to_thread(publisher_report, proc)
                await asyncio.to_thread(recorder.done.wait, DRAIN_S)
                await asyncio.sleep(0.5)  # refusals are acknowledged at once; let the last be counted
                snapshot = adapter.snapshot()
            finally:
                await adapter.stop()
                await asyncio.to_thread(sink.stop)
                await directory.stop()
                broker.stop()
            with db.reading() as session:
                stored = {str(i) for i in session.scalars(select(OutboxEvent.id).where(
                    OutboxEvent.name == ACCESS_EVENT.name))}
            db.dispose()
        finally:
            if pg_name:
                with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
    sent_good = {str(dedupe_id("ACC-01", TopicKind.ACCESS, f"p{j}")) for j in report["good"]}
    rejected = {kind: int(metrics.value("qorgau_ingest_rejected_total", adapter="mqtt", reason=reason))
                for kind, reason in MALFORMED_REASONS.items()}
    return figures(recorder, rate, total, start, report) | {
        "stored": len(stored), "acked_equals_stored": recorder.acked == stored,
        "stored_equals_good_sent": stored == sent_good, "malformed_sent": sum(report["malformed"].values()),
        "malformed_stored": len(stored - sent_good),
        **{f"rejected_{kind}": n for kind, n in rejected.items()},
        "rejected_counted_by_reason": rejected == {k: report["malformed"].get(k, 0) for k in MALFORMED_REASONS},
        "commit_failures": snapshot.commit_failures,
    }


def readme_rows(cases: dict[str, Any], args: argparse.Namespace) -> list[dict[str, Any]]:
    base = cases[BASELINE]["median"]
    parts, met = [], True
    for db_kind in args.db.split(","):
        m, rounds = cases[db_kind]["median"], cases[db_kind]["rounds"]
        durable = all(r["acked_equals_stored"] and r["stored_equals_good_sent"] for r in rounds)
        counted = all(r["rejected_counted_by_reason"] and r["malformed_stored"] == 0 for r in rounds)
        parts.append(f"{db_kind}: {harness.count(m['good_per_s'])} good/s acknowledged, p99 "
                     f"{harness.ms(m['p99_ms'])} (p50 {harness.ms(m['p50_ms'])}); PUBACKed = stored: "
                     f"{'yes' if durable else 'NO'}; malformed stored {harness.count(m['malformed_stored'])}, "
                     f"each counted by reason: {'yes' if counted else 'NO'}")
        met = met and durable and counted and m["p99_ms"] < 100 and m["good_per_s"] >= 0.98 * m["offered_per_s"] * (
            1 - 1 / MALFORMED_EVERY)
    return [harness.readme_row(
        f"`bench/ingest_mqtt.py`: {harness.count(base['offered_per_s'])} QoS 1 messages/s open loop (1 % malformed), "
        "scheduled send → PUBACK after commit", result="; ".join(parts),
        baseline=f"bare paho subscriber, ack on receipt, nothing stored: p99 {harness.ms(base['p99_ms'])}",
        target="5,000/s on both databases, p99 < 100 ms", met=met)]


NOTES = """One open-loop publisher process (raw MQTT 3.1.1, packets built up front), Mosquitto, the subscriber and
its writer process share the machine's cores. Latency counts from each message's scheduled send time, so any
backlog at the publisher, the broker or Qorgau counts. good_per_s: good messages acknowledged per second from the
first scheduled send to the last acknowledgement."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=5000.0)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--name", default="ingest_mqtt", help="result file name (bench/results/NAME.json)")
    args = parser.parse_args()
    total = int(args.rate * args.seconds)
    def adapter_case(db_kind: str) -> Callable[[int], dict[str, Any]]:
        return lambda _round: asyncio.run(run_adapter(db_kind, args.rate, total))

    cases_run: dict[str, Callable[[int], dict[str, Any]]] = {BASELINE: lambda _round: run_baseline(args.rate, total)}
    cases_run |= {db_kind: adapter_case(db_kind) for db_kind in args.db.split(",")}
    run = harness.Run("ingest_mqtt")
    rounds = harness.interleave(cases_run, rounds=args.rounds)
    cases = harness.summarise(rounds, baseline=BASELINE, metric="good_per_s", ratio_metrics=["p99_ms"])
    path = harness.write_result(args.name, run.finish(cases=cases, readme=readme_rows(cases, args)), notes=NOTES)
    print(path.read_text())


if __name__ == "__main__":
    main()
