"""Kill-and-restart durability: the adapter process is SIGKILLed mid-stream and started again."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from qorgau.core.db import Database
from qorgau.settings import Settings
from tests.conftest import ROOT
from tests.ingest.adapters.mqtt.conftest import QORGAU_PASSWORD, QORGAU_USER, Broker, Device, outbox, wait_for

MESSAGES = 600


@contextmanager
def adapter_process(settings: Settings, broker: Broker, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("QORGAU_")}
    env.update({"QORGAU_DATA_DIR": str(settings.data_dir), "QORGAU_DATABASE_URL": settings.database_url or "",
                "QORGAU_LOG_JSON": "false", "QORGAU_LOG_LEVEL": "WARNING", "QORGAU_MQTT_URL": broker.url,
                "QORGAU_MQTT_USERNAME": QORGAU_USER, "QORGAU_MQTT_PASSWORD": QORGAU_PASSWORD,
                "PYTHONPATH": str(ROOT)})
    with log.open("ab") as err:
        process = subprocess.Popen([sys.executable, "-m", "tests.ingest.adapters.mqtt.adapter_process"], cwd=ROOT,
                                   env=env, stdout=subprocess.PIPE, stderr=err)
    assert process.stdout is not None
    try:
        line = process.stdout.readline()  # blocks until subscribed, or EOF if the process died
        assert line.strip() == b"ready", log.read_text()
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        process.stdout.close()


def test_sigkill_mid_stream_loses_nothing_and_records_once(settings: Settings, registry: Database, broker: Broker,
                                                           tmp_path: Path) -> None:
    log = tmp_path / "adapter.log"
    turnstile = Device(broker, "acc-01")

    def publish_all() -> None:
        # Even messages carry the device's event id (recorded exactly once), odd ones none (at least once).
        for n in range(MESSAGES):
            body = {"action": "denied", "reason": f"r-{n}"} | ({"event_id": f"e-{n}"} if n % 2 == 0 else {})
            turnstile.publish("access", body)
            time.sleep(0.002)

    def reasons() -> Counter[int]:
        return Counter(int(row.payload["reason"][2:]) for row in outbox(registry, "ingest.access_event"))

    publisher = threading.Thread(target=publish_all)
    try:
        with adapter_process(settings, broker, log) as first:
            publisher.start()
            wait_for(lambda: len(reasons()) >= MESSAGES // 4, timeout=30)
            first.kill()  # SIGKILL: no drain, no disconnect, commits and PUBACKs cut off wherever they were
        assert len(reasons()) < MESSAGES
        publisher.join(timeout=60)
        with adapter_process(settings, broker, log):
            wait_for(lambda: len(reasons()) == MESSAGES, timeout=30)
            time.sleep(0.3)  # a late redelivery would show up now
    finally:
        turnstile.close()
    seen = reasons()
    assert set(seen) == set(range(MESSAGES))  # nothing lost
    assert all(seen[n] == 1 for n in range(0, MESSAGES, 2))  # with event_id: exactly once
