"""The video processes' composition root: `qorgau video run` (the supervisor) and each worker process.

Their commands join the `qorgau video` group from here (``register``), so the video domain never imports the
runtime; the heavy imports (PyAV, the workers) wait until a command runs.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from qorgau.core.db import Database
    from qorgau.settings import Settings
    from qorgau.video.contracts import Feature
    from qorgau.video.leases import LeaseKeeper

log = logging.getLogger(__name__)


def register(video_app: typer.Typer) -> None:
    """Add `run` and the hidden `worker` to the `qorgau video` group (once, however often the CLI is built)."""
    if any(command.callback is run for command in video_app.registered_commands):
        return
    video_app.command("run")(run)
    video_app.command("worker", hidden=True)(worker)


def run(
    workers: Annotated[int | None, typer.Option(help="Worker processes (default: setting video_workers, 0: one "
                                                "per core).")] = None,
) -> None:
    """Run the video workers under a supervisor that restarts a crashed one (Ctrl-C or SIGTERM stops all)."""
    from qorgau.runtime.commands import _service_settings

    run_supervisor(_service_settings(), workers=workers)


def worker(
    index: Annotated[int, typer.Option(help="This worker's number, 0..count-1.")],
    count: Annotated[int, typer.Option(help="How many workers share the cameras.")],
) -> None:
    """One video worker process (started by `qorgau video run`)."""
    from qorgau.runtime.commands import _service_settings

    if not 0 <= index < count:
        raise typer.BadParameter("index must be in 0..count-1")
    run_worker(_service_settings(), index=index, count=count)


def run_supervisor(settings: Settings, *, workers: int | None = None) -> None:
    """Run the worker processes until SIGTERM or SIGINT."""
    import signal
    import threading

    from qorgau.video.supervisor import VideoSupervisor

    stop = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        log.info("video supervisor got signal %d: stopping", signum)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    # The workers stop within the shutdown grace; they are killed a little after it.
    supervisor = VideoSupervisor(workers or settings.workers_count(), grace_s=settings.shutdown_grace_s + 2.0)
    supervisor.run(stop)


PLATE_CONSUMER = "qorgau.roads.plates.consumer:PlateConsumer"
# Speed and red-light violations from the speed and intersection cameras (ADR 0043).
ENFORCEMENT_CONSUMER = "qorgau.roads.enforcement.consumer:EnforcementConsumer"


def with_plate_reading(found: list[Feature]) -> list[Feature]:
    """The analysis also reads number plates on the roads' cameras (ADR 0040) and opens violations on the speed and
    intersection cameras (ADR 0043). Video never names roads, so the process assembly hands the roads' consumers to
    the analytics feature beside video's own consumers."""
    from qorgau.video.analytics import consumers
    from qorgau.video.analytics.feature import AnalyticsFeature

    return [AnalyticsFeature(detector_loader=feature.detector_loader,
                             consumers=(*consumers.CONSUMERS, PLATE_CONSUMER, ENFORCEMENT_CONSUMER))
            if isinstance(feature, AnalyticsFeature) else feature for feature in found]


def lease_keeper(settings: Settings, db: Database, *, index: int) -> LeaseKeeper | None:
    """With `video_assignment = leases`, this worker's leases as ``<node id>/<index>``; else None (static)."""
    if settings.video_assignment != "leases":
        return None
    import os
    import socket

    from qorgau.video.leases import LeaseKeeper

    host = socket.gethostname()
    node = settings.video_node_id or host
    return LeaseKeeper(db, holder=f"{node}/{index}", node=node, host=host, pid=os.getpid(),
                       live_port=settings.video_live_port + index, failover_s=settings.video_failover_s)


def run_worker(settings: Settings, *, index: int, count: int) -> None:
    """One worker process: its cameras, streams and features until SIGTERM or SIGINT."""
    import asyncio
    import os
    import signal
    import threading

    from qorgau.core.bus.wake import install_poker
    from qorgau.core.crypto import configure_keyring, load_keyring
    from qorgau.core.db import Database
    from qorgau.runtime.process import load_domains
    from qorgau.video import features
    from qorgau.video.worker import Worker

    load_domains()
    db = Database(settings.effective_database_url)
    configure_keyring(load_keyring(settings))  # camera credentials are decrypted in memory
    install_poker(settings.run_dir)  # its events wake the server's readers
    video_worker = Worker(settings, db, index=index, count=count, features=with_plate_reading(features.load()),
                          leases=lease_keeper(settings, db, index=index))

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await video_worker.run(stop)

    asyncio.run(main())
    db.dispose()
    if any(thread.daemon and thread.is_alive() and thread.name.startswith("video-")
           for thread in threading.enumerate()):
        # A reader still blocked in FFmpeg: leave without finalising it (it would only delay the exit).
        logging.shutdown()
        os._exit(0)
