"""The video processes' composition root: `qorgau video run` (the supervisor) and each worker process."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import threading

from qorgau.core.bus.wake import install_poker
from qorgau.core.crypto import configure_keyring, load_keyring
from qorgau.core.db import Database
from qorgau.runtime.process import load_domains
from qorgau.settings import Settings
from qorgau.video import features
from qorgau.video.supervisor import VideoSupervisor
from qorgau.video.worker import Worker

log = logging.getLogger(__name__)


def run_supervisor(settings: Settings, *, workers: int | None = None) -> None:
    """Run the worker processes until SIGTERM or SIGINT."""
    stop = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        log.info("video supervisor got signal %d: stopping", signum)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    # The workers stop within the shutdown grace; they are killed a little after it.
    supervisor = VideoSupervisor(workers or settings.workers_count(), grace_s=settings.shutdown_grace_s + 2.0)
    supervisor.run(stop)


def run_worker(settings: Settings, *, index: int, count: int) -> None:
    """One worker process: its cameras, streams and features until SIGTERM or SIGINT."""
    load_domains()
    db = Database(settings.effective_database_url)
    configure_keyring(load_keyring(settings))  # camera credentials are decrypted in memory
    install_poker(settings.run_dir)  # its events wake the server's readers
    worker = Worker(settings, db, index=index, count=count, features=features.load())

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await worker.run(stop)

    asyncio.run(main())
    db.dispose()
    if any(thread.daemon and thread.is_alive() and thread.name.startswith("video-")
           for thread in threading.enumerate()):
        # A reader still blocked in FFmpeg: leave without finalising it (it would only delay the exit).
        logging.shutdown()
        os._exit(0)
