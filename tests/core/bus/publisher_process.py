"""Run as a separate process: publishes probe events the way ingest or a video worker will.

Usage: python -m tests.core.bus.publisher_process COUNT INTERVAL_S
(settings from QORGAU_DATA_DIR and QORGAU_DATABASE_URL)
"""

from __future__ import annotations

import sys
import time

from qorgau.core.bus import Context, publish
from qorgau.core.bus.wake import install_poker
from qorgau.core.db import Database
from qorgau.settings import load_settings
from tests.core.bus.events_for_tests import PROBE, Probe


def main(count: int, interval: float) -> None:
    settings = load_settings()
    db = Database(settings.effective_database_url)
    install_poker(settings.run_dir)  # wakes readers of other processes after each commit (SQLite)
    for n in range(count):
        with db.unit_of_work() as session:
            publish(session, PROBE, subject_id=f"remote-{n % 3}", payload=Probe(n=n, note=repr(time.time())),
                    ctx=Context.system("test-publisher"))
        time.sleep(interval)
    db.dispose()


if __name__ == "__main__":
    main(int(sys.argv[1]), float(sys.argv[2]))
