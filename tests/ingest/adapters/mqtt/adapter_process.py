"""The ingest core and the MQTT adapter as a process of their own (settings from QORGAU_* in the environment).

The durability test SIGKILLs it mid-stream; it prints `ready` once subscribed. Run: python -m <this module>.
"""

from __future__ import annotations

import asyncio
import signal
import sys

from prometheus_client import CollectorRegistry

from qorgau.core.crypto import configure_keyring, load_keyring
from qorgau.core.db import Database
from qorgau.domains import load_events, load_models
from qorgau.ingest.adapters.mqtt.adapter import create
from qorgau.ingest.directory import Directory
from qorgau.ingest.hub import IngestHub
from qorgau.ingest.metrics import IngestMetrics
from qorgau.ingest.sink import Sink
from qorgau.settings import load_settings


async def main() -> None:
    settings = load_settings()
    load_models()
    load_events()
    configure_keyring(load_keyring(settings))
    db = Database(settings.effective_database_url)
    directory = Directory(db)
    metrics = IngestMetrics(CollectorRegistry())
    sink = Sink(db, directory, metrics)
    hub = IngestHub(settings=settings, db=db, directory=directory, sink=sink, metrics=metrics)
    adapter = create(settings)
    if adapter is None:
        raise SystemExit("QORGAU_MQTT_URL is not set")
    await directory.start()
    sink.start()
    await adapter.start(hub)
    if not await adapter.wait_ready(10):
        raise SystemExit("not subscribed")
    print("ready", flush=True)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    await adapter.stop()
    await asyncio.to_thread(sink.stop)
    await directory.stop()
    db.dispose()


if __name__ == "__main__":
    asyncio.run(main())
    sys.exit(0)
