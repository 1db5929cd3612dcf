"""MQTT ingest throughput: publishers in other processes → Mosquitto → MqttAdapter → group commit → PUBACK.

Each run starts its own Mosquitto on a free port (persistence on, the documented ACL) and two publisher
processes that send QoS 1 access events at a fixed total rate (default 5,000 messages/s). Latency is measured per
message from the publisher's send time (carried in the payload) to the moment Qorgau acknowledges it, which is
after the transaction holding its event committed. The baseline is a bare paho subscriber that acknowledges on
receipt and persists nothing. Results go to bench/results/ingest_mqtt.json and .md with the machine noted.

Usage: .venv/bin/python bench/ingest_mqtt.py [--rate 5000] [--seconds 10] [--db sqlite,postgresql]
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
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import psycopg
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from prometheus_client import CollectorRegistry

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from event_latency import PG_ADMIN, machine, percentiles  # noqa: E402
from tests.ingest.adapters.mqtt.conftest import (  # noqa: E402
    DEVICES,
    PREFIX,
    QORGAU_PASSWORD,
    QORGAU_USER,
    Broker,
    add_device,
    mqtt_config,
)

from qorgau.core.crypto import configure_keyring, load_keyring  # noqa: E402
from qorgau.core.db import Database  # noqa: E402
from qorgau.core.migrate import upgrade  # noqa: E402
from qorgau.domains import load_events, load_models  # noqa: E402
from qorgau.ingest.adapters.mqtt.adapter import MqttAdapter  # noqa: E402
from qorgau.ingest.adapters.mqtt.parser import Accepted  # noqa: E402
from qorgau.ingest.directory import Directory  # noqa: E402
from qorgau.ingest.hub import IngestHub  # noqa: E402
from qorgau.ingest.metrics import IngestMetrics  # noqa: E402
from qorgau.ingest.sink import Sink  # noqa: E402
from qorgau.ingest.writer_process import RemoteWriter  # noqa: E402
from qorgau.settings import Settings  # noqa: E402

PUBLISHERS = 2
PUBLISHER = r"""
import json, sys, time
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
port, user, password, topic, index, count, rate = sys.argv[1:8]
count, rate = int(count), float(rate)
client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"bench-pub-{index}", protocol=MQTTProtocolVersion.MQTTv5)
client.username_pw_set(user, password)
client.max_inflight_messages_set(2000)
client.max_queued_messages_set(0)
client.connect("127.0.0.1", int(port), keepalive=60)
client.loop_start()
start = time.perf_counter()
last = None
for n in range(count):
    body = {"action": "denied", "reason": f"t{time.time_ns()}", "card": "0004221337", "event_id": f"p{index}-{n}"}
    last = client.publish(topic, json.dumps(body), qos=1)
    delay = start + (n + 1) / rate - time.perf_counter()
    if delay > 0:
        time.sleep(delay)
last.wait_for_publish(timeout=120)
elapsed = time.perf_counter() - start
client.disconnect(); client.loop_stop()
print(json.dumps({"sent": count, "seconds": elapsed}))
"""


def sent_ns(reason: str) -> int:
    return int(reason[1:])


def publish(broker: Broker, total: int, rate: float) -> list[subprocess.Popen[str]]:
    per = total // PUBLISHERS
    return [subprocess.Popen([sys.executable, "-c", PUBLISHER, str(broker.port), "acc-01", DEVICES["acc-01"],
                              f"{PREFIX}/acc-01/access", str(i), str(per), str(rate / PUBLISHERS)],
                             stdout=subprocess.PIPE, text=True) for i in range(PUBLISHERS)]


def wait_publishers(procs: list[subprocess.Popen[str]]) -> float:
    reports = [json.loads(proc.communicate(timeout=600)[0]) for proc in procs]
    return max(float(r["seconds"]) for r in reports)


class Recorder:
    def __init__(self, total: int) -> None:
        self.total = total
        self.latencies: list[float] = []
        self.first: float | None = None
        self.last = 0.0
        self.done = threading.Event()
        self.lock = threading.Lock()

    def record(self, sent: int) -> None:
        now_ns = time.time_ns()
        with self.lock:
            self.latencies.append((now_ns - sent) / 1e6)
            moment = time.perf_counter()
            self.first = self.first if self.first is not None else moment
            self.last = moment
            if len(self.latencies) >= self.total:
                self.done.set()


def summary(kind: str, db_kind: str, recorder: Recorder, rate: float, publish_s: float) -> dict[str, Any]:
    span = recorder.last - (recorder.first or recorder.last)
    got = len(recorder.latencies)
    return {"case": kind, "database": db_kind, "offered_per_s": rate, "messages": recorder.total, "acked": got,
            "publish_seconds": round(publish_s, 2),
            "throughput_per_s": round(got / span, 0) if span > 0 else None, **percentiles(recorder.latencies)}


def run_baseline(rate: float, total: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        broker = Broker(Path(tmp))
        broker.start()
        recorder = Recorder(total)
        client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="bench-baseline",
                             protocol=MQTTProtocolVersion.MQTTv5)
        client.username_pw_set(QORGAU_USER, QORGAU_PASSWORD)

        def on_message(client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
            recorder.record(sent_ns(json.loads(message.payload)["reason"]))

        client.on_message = on_message
        client.on_connect = lambda c, *_: c.subscribe(f"{PREFIX}/+/+", qos=1)
        client.connect("127.0.0.1", broker.port)
        client.loop_start()
        time.sleep(0.5)
        try:
            publish_s = wait_publishers(publish(broker, total, rate))
            recorder.done.wait(timeout=120)
        finally:
            client.disconnect()
            client.loop_stop()
            broker.stop()
    return summary("baseline: bare paho subscriber, ack on receipt, nothing persisted", "-", recorder, rate,
                   publish_s)


class TimedAdapter(MqttAdapter):
    """The adapter, noting when each message's acknowledgement is sent (right after its commit)."""

    recorder: Recorder

    def _committed(self, client: mqtt.Client, mid: int, qos: int, generation: int, result: Accepted,
                   error: BaseException | None) -> None:
        super()._committed(client, mid, qos, generation, result, error)
        if error is None and result.events:
            self.recorder.record(sent_ns(result.events[0].payload.reason))


async def run_adapter(db_kind: str, rate: float, total: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        pg_name = f"qorgau_bench_{uuid.uuid4().hex[:8]}" if db_kind == "postgresql" else None
        if pg_name:
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{pg_name}"')
            url = PG_ADMIN.replace("postgresql://", "postgresql+psycopg://").rsplit("/", 1)[0] + f"/{pg_name}"
        else:
            url = f"sqlite:///{data}/qorgau.db"
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
            metrics = IngestMetrics(CollectorRegistry())
            # As `qorgau ingest` runs it: the group commit in a writer process of its own.
            sink = Sink(db, directory, metrics, max_batch=settings.ingest_max_batch, remote=RemoteWriter(settings))
            hub = IngestHub(settings=settings, db=db, directory=directory, sink=sink, metrics=metrics)
            adapter = TimedAdapter(mqtt_config(settings, broker))
            adapter.recorder = recorder = Recorder(total)
            await directory.start()
            await asyncio.to_thread(sink.start)
            await adapter.start(hub)
            try:
                publish_s = await asyncio.to_thread(wait_publishers, publish(broker, total, rate))
                await asyncio.to_thread(recorder.done.wait, 120)
                snapshot = adapter.snapshot()
            finally:
                await adapter.stop()
                await asyncio.to_thread(sink.stop)
                await directory.stop()
                broker.stop()
                db.dispose()
        finally:
            if pg_name:
                with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
    row = summary("MqttAdapter: event committed, then PUBACK", db_kind, recorder, rate, publish_s)
    row["commit_failures"] = snapshot.commit_failures
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=5000.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--db", default="sqlite,postgresql")
    args = parser.parse_args()
    total = int(args.rate * args.seconds) // PUBLISHERS * PUBLISHERS
    rows = [run_baseline(args.rate, total)]
    print(json.dumps(rows[-1]), flush=True)
    for db_kind in args.db.split(","):
        rows.append(asyncio.run(run_adapter(db_kind, args.rate, total)))
        print(json.dumps(rows[-1]), flush=True)
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    record = {"benchmark": "ingest_mqtt", "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
              "machine": machine(), "target": "5,000 messages/s sustained, each acknowledged after its commit",
              "publishers": PUBLISHERS, "rows": rows}
    (results / "ingest_mqtt.json").write_text(json.dumps(record, indent=1) + "\n")
    lines = ["# MQTT ingest: publishers → Mosquitto → adapter → commit → PUBACK\n",
             f"Machine: {record['machine']}  ",
             f"Run: {record['when']}; {total} QoS 1 messages offered at {args.rate:g}/s by {PUBLISHERS} publisher "
             "processes; latency from the publisher's send time to Qorgau's acknowledgement (after the commit).\n",
             "| case | database | acked | throughput/s | p50 ms | p95 ms | p99 ms | max ms |",
             "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['case']} | {r['database']} | {r['acked']}/{r['messages']} | {r['throughput_per_s']} | "
                     f"{r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | {r['max_ms']} |")
    lines += ["", "The publisher processes, Mosquitto and Qorgau share the machine's cores; on a 2-core machine the "
              "load "
              "generator alone takes a large part of them. Throughput is acknowledged messages per second from the "
              "first acknowledgement to the last; latency includes any backlog built up while publishing."]
    (results / "ingest_mqtt.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
