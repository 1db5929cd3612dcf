"""A video worker with leases against a real database: it streams only what it holds, stops a camera at once when
another holder takes it (the epoch moved), and takes it back when that holder's lease runs out."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from qorgau.core.db import Database
from qorgau.core.time import utcnow
from qorgau.settings import Settings
from qorgau.video.enums import StreamKind
from qorgau.video.leases import LeaseKeeper
from qorgau.video.worker import Worker
from tests.video.conftest import add_camera, alias
from tests.video.test_source import Collect
from tests.video.test_worker import quick

FAILOVER_S = 3.0  # leases of 1.5 s renewed every 0.5 s: the test sees every step within seconds


async def until(condition: Callable[[], object], timeout: float, what: str) -> float:
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)
    return time.monotonic() - started


@pytest.mark.timeout(90)
def test_a_worker_stops_a_camera_taken_from_it_and_takes_it_back_after_expiry(
        db: Database, settings: Settings, clips: dict[str, Path]) -> None:
    cameras = [add_camera(db, f"CAM-{n:04d}", main=alias(clips["mp4"], f"lw{n}")) for n in range(2)]
    keeper = LeaseKeeper(db, holder="w/0", node="w", host="localhost", pid=1, live_port=8010, failover_s=FAILOVER_S)
    worker = Worker(quick(settings, video_assignment="leases"), db, leases=keeper)
    ahead = timedelta(seconds=keeper.ttl_s + 1)

    def thief_clock() -> datetime:
        return utcnow() + ahead  # its "now" is past the worker's expiry: it may take the worker's cameras

    thief = LeaseKeeper(db, holder="a-thief/0", node="a-thief", host="elsewhere", pid=2, live_port=9010,
                        failover_s=FAILOVER_S, clock=thief_clock)
    figures: dict[str, float] = {}

    async def scenario() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(worker.run(stop))
        try:
            await until(lambda: {c.device_id for c in worker.cameras()} == set(cameras), 20, "both leases")
            sink = Collect()
            worker.streams.attach(cameras[0], StreamKind.MAIN, sink)
            await until(lambda: len(sink.packets) > 10, 20, "packets of the held camera")
            await asyncio.to_thread(thief.join)
            await asyncio.to_thread(thief.step, cameras)
            assert set(thief.held) == set(cameras)
            figures["dropped_s"] = await until(lambda: worker.cameras() == [], 5, "the worker to let go")
            await asyncio.sleep(0.3)  # the reader thread notices its stop
            count = len(sink.packets)
            await asyncio.sleep(1.0)
            figures["packets_after"] = len(sink.packets) - count
            # The thief never renews: when its lease runs out the worker takes the cameras back.
            figures["back_s"] = await until(lambda: {c.device_id for c in worker.cameras()} == set(cameras), 15,
                                            "the cameras back")
        finally:
            stop.set()
            await task

    asyncio.run(scenario())
    assert figures["dropped_s"] < keeper.renew_s + 1.0  # at the next renewal, not at some later refresh
    assert figures["packets_after"] == 0  # nothing more was read (so nothing written) for the lost camera
    assert figures["back_s"] < FAILOVER_S * 2
    assert keeper.held == {}  # a clean stop freed them
