"""An event published in one process reaches a reader in another (the ingest → server path)."""

import os
import subprocess
import sys
import time
from pathlib import Path

from qorgau.core.aio import within
from qorgau.core.bus.transport import make_transport
from qorgau.core.db import Database
from qorgau.settings import Settings
from tests.conftest import run_async

ROOT = Path(__file__).resolve().parents[3]


def _child_env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("QORGAU_")}
    env["QORGAU_DATA_DIR"] = str(settings.data_dir)
    env["QORGAU_DATABASE_URL"] = settings.effective_database_url
    env["PYTHONPATH"] = str(ROOT)
    return env


def test_events_from_another_process_arrive_in_order(settings: Settings, db: Database) -> None:
    count = 20

    async def scenario() -> tuple[list[int], list[float]]:
        transport = make_transport(settings, db)
        await transport.start()
        received: list[int] = []
        latencies: list[float] = []
        child = subprocess.Popen(
            [sys.executable, "-m", "tests.core.bus.publisher_process", str(count), "0.05"],
            cwd=ROOT, env=_child_env(settings),
        )
        try:
            async def read() -> None:
                async for batch in transport.batches(0):
                    for event in batch:
                        latencies.append(time.time() - float(event.payload.note))
                        received.append(event.payload.n)
                    if len(received) >= count:
                        return

            await within(read(), 60)
        finally:
            child.wait(timeout=60)
            await transport.stop()
        assert child.returncode == 0
        return received, latencies

    received, latencies = run_async(scenario())
    assert received == list(range(count))
    # Generous bound for a loaded CI machine; bench/event_latency.py measures the real figure.
    assert max(latencies) < 5.0
