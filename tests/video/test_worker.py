"""A video worker against a real database: its cameras, features, status rows, state events and health verdicts."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from qorgau.core.bus.models import OutboxEvent
from qorgau.core.db import Database
from qorgau.devices.models import Device
from qorgau.settings import Settings
from qorgau.video import status
from qorgau.video.contracts import CameraConfig, WorkerContext
from qorgau.video.enums import CameraState, RecordingMode, StreamKind
from qorgau.video.models import CameraStatus, VideoCamera
from qorgau.video.worker import Worker
from tests.video.conftest import add_camera, alias
from tests.video.test_source import Collect


class Watch:
    """A feature that watches the main stream of each of its worker's cameras."""

    def __init__(self) -> None:
        self.sinks: dict[int, Collect] = {}

    async def run(self, worker: WorkerContext) -> None:
        for camera in worker.cameras():
            self.sinks[camera.device_id] = Collect()
            worker.streams.attach(camera.device_id, StreamKind.MAIN, self.sinks[camera.device_id])
        await asyncio.Event().wait()


class Crashy:
    def __init__(self) -> None:
        self.runs = 0

    async def run(self, worker: WorkerContext) -> None:
        self.runs += 1
        raise RuntimeError("feature bug")


def quick(settings: Settings, **changes: Any) -> Settings:
    return settings.model_copy(update={"video_status_interval_s": 0.3, "video_connect_timeout_s": 2.0,
                                       "video_no_video_after_s": 1.5, "video_backoff_max_s": 2.0,
                                       "shutdown_grace_s": 3, **changes})


async def run_for(worker: Worker, seconds: float) -> float:
    """Run the worker for ``seconds``; returns how long its stop took."""
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    await asyncio.sleep(seconds)
    stop.set()
    started = time.monotonic()
    await task
    return time.monotonic() - started


def rows(db: Database) -> dict[tuple[int, str], CameraStatus]:
    with db.sessions() as session:
        return {(r.device_id, r.stream): r for r in session.scalars(select(CameraStatus))}


@pytest.mark.timeout(40)  # two databases' worth of a worker running for several seconds
def test_a_worker_streams_its_cameras_writes_status_and_reports_health(
        db: Database, settings: Settings, clips: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(status, "FAILURE_AFTER_S", 0.5)
    good = add_camera(db, "CAM-0001", main=alias(clips["mp4"], "w1"))
    bad = add_camera(db, "CAM-0002", main="rtsp://127.0.0.1:9/none")
    add_camera(db, "CAM-0003", main=alias(clips["mp4"], "w3"), lifecycle="planned")  # not in service: not ours
    with db.unit_of_work() as session:
        session.add(VideoCamera(device_id=good, recording_mode="off", privacy_masks=[[[0, 0], [0.5, 0], [0, 0.5]]],
                                updated_at=_now()))
    watch, crashy = Watch(), Crashy()
    worker = Worker(quick(settings), db, features=[watch, crashy])
    stop_took = asyncio.run(run_for(worker, 4.0))
    assert stop_took < 3
    configs = {c.code: c for c in worker.cameras()}
    assert set(configs) == {"CAM-0001", "CAM-0002"}
    assert configs["CAM-0001"].recording_mode is RecordingMode.OFF and configs["CAM-0001"].privacy_masks
    assert configs["CAM-0002"].recording_mode is RecordingMode.CONTINUOUS
    assert watch.sinks[good].packets and crashy.runs >= 2  # a crashed feature is restarted, the others go on
    found = rows(db)
    assert set(found) == {(good, "main"), (good, "sub"), (bad, "main"), (bad, "sub")}
    assert all(r.state == "idle" for r in found.values())  # the worker stopped: nothing is pulled any more
    assert found[(good, "main")].codec == "h264" and found[(good, "main")].width == 640
    assert found[(bad, "main")].reconnects >= 1
    with db.sessions() as session:
        events = [(e.subject_id, e.payload["current"]) for e in session.scalars(
            select(OutboxEvent).where(OutboxEvent.name == "video.stream_state_changed").order_by(OutboxEvent.seq))]
        health = {code: value for code, value in session.execute(select(Device.code, Device.health))}
        changes = [(e.subject_id, e.payload["current"], e.payload["detail"]) for e in session.scalars(
            select(OutboxEvent).where(OutboxEvent.name == "devices.health_changed").order_by(OutboxEvent.seq))]
    # A failure is news once (not at each retry); a healthy stream opening and closing is none.
    assert events == [("CAM-0002", "unreachable")]
    assert health["CAM-0001"] == "online" and health["CAM-0002"] == "degraded"
    assert any(code == "CAM-0002" and current == "degraded" and "unreachable" in (detail or "")
               for code, current, detail in changes)


def test_status_rows_while_running_and_ownership_by_worker(db: Database, settings: Settings,
                                                           clips: dict[str, Path]) -> None:
    ids = [add_camera(db, f"CAM-{n:04d}", main=alias(clips["mp4"], f"o{n}")) for n in range(1, 5)]
    seen: dict[tuple[int, str], CameraStatus] = {}

    async def scenario() -> None:
        worker = Worker(quick(settings), db, index=1, count=2, features=[Watch()])
        stop = asyncio.Event()
        task = asyncio.create_task(worker.run(stop))
        await asyncio.sleep(2.5)
        seen.update(rows(db))
        # A camera added while the worker runs is picked up at the next flush (the registry revision moved).
        added = [await asyncio.to_thread(add_camera, db, code, main=alias(clips["mp4"], code))
                 for code in ("CAM-0006", "CAM-0007")]
        await asyncio.sleep(1.0)
        assert {c.device_id for c in worker.cameras()} & set(added) == {i for i in added if i % 2 == 1}
        stop.set()
        await task

    asyncio.run(scenario())
    mine = {i for i in ids if i % 2 == 1}
    assert {device_id for device_id, _ in seen} == mine
    for device_id in mine:
        main, sub = seen[(device_id, "main")], seen[(device_id, "sub")]
        assert main.state == CameraState.STREAMING.value and main.worker == 1 and main.viewers == 1
        assert main.fps_in is not None and main.fps_in > 10 and (main.bitrate_kbps or 0) > 0
        assert main.last_frame_at is not None and sub.state == "idle"


def _now() -> Any:
    from qorgau.core.time import utcnow

    return utcnow()


def test_idle_rows_are_not_rewritten_at_every_flush(db: Database, settings: Settings,
                                                    clips: dict[str, Path]) -> None:
    add_camera(db, "CAM-0001", main=alias(clips["mp4"], "i1"))
    worker = Worker(quick(settings), db)
    worker.refresh(force=True)
    worker.flush()
    first = {key: row.updated_at for key, row in rows(db).items()}
    time.sleep(0.05)
    worker.flush()
    assert {key: row.updated_at for key, row in rows(db).items()} == first and len(first) == 2
    worker.hub.close(timeout=1)


def test_a_lasting_failure_goes_degraded_then_offline_once_and_streaming_brings_it_back(
        db: Database, clips: dict[str, Path]) -> None:
    add_camera(db, "CAM-0001", main=alias(clips["mp4"], "h1"))
    judge = status.HealthJudge()

    def report(*, seen: list[int] = [], failing_s: float | None = None) -> None:  # noqa: B006 - read only
        failures = [] if failing_s is None else [status.Failure(device_id=device_id, detail="video unreachable: "
                                                                "timed out", failing_s=failing_s, at_once=False)]
        with db.unit_of_work() as session:
            status.apply_verdicts(session, seen=seen, failures=failures, judge=judge, now=_now())

    with db.sessions() as session:
        device_id = session.scalars(select(Device.id).where(Device.code == "CAM-0001")).one()
    report(seen=[device_id])
    report(failing_s=5.0)  # too short to say anything
    report(failing_s=status.FAILURE_AFTER_S)
    report(failing_s=status.FAILURE_AFTER_S + 5)  # the same episode: said once
    report(failing_s=10**6)  # past the supervision interval
    report(failing_s=10**6 + 5)
    judge.reported.clear()  # streaming again (verdicts() clears it)
    report(seen=[device_id])
    with db.sessions() as session:
        changes = [(e.payload["current"], e.payload["reason"]) for e in session.scalars(
            select(OutboxEvent).where(OutboxEvent.name == "devices.health_changed").order_by(OutboxEvent.seq))]
    assert changes == [("online", "heartbeat"), ("degraded", "reported_degraded"), ("offline", "silent"),
                       ("online", "heartbeat")]


def test_cameras_nobody_pulls_are_probed_and_a_failing_one_reported(
        db: Database, settings: Settings, clips: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    from qorgau.video.probe import ProbeFeature

    monkeypatch.setattr(status, "FAILURE_AFTER_S", 0.5)
    good = add_camera(db, "CAM-0001", main=alias(clips["mp4"], "p1"), sub=alias(clips["mp4"], "p1s"))
    add_camera(db, "CAM-0002", main="rtsp://127.0.0.1:9/none")
    probe = ProbeFeature()
    worker = Worker(quick(settings, video_probe_interval_s=2.0, video_idle_stop_s=0.5), db, features=[probe])
    asyncio.run(run_for(worker, 5.0))
    assert probe.completed >= 1 and list(probe.probes) == []  # the failing probe was let go at the stop
    found = rows(db)
    assert found[(good, "sub")].last_frame_at is not None and found[(good, "main")].last_frame_at is None
    with db.sessions() as session:
        health = {code: value for code, value in session.execute(select(Device.code, Device.health))}
    assert health == {"CAM-0001": "online", "CAM-0002": "degraded"}


def test_only_failures_and_recoveries_are_published(settings: Settings) -> None:
    worker = Worker(quick(settings), None)  # type: ignore[arg-type]  # no flush: the database is not touched
    source: Any = type("Stub", (), {"camera": CameraConfig(device_id=1, code="CAM-0001", main_url="rtsp://h/m",
                                                           sub_url=None), "kind": StreamKind.MAIN})()
    steps = [CameraState.CONNECTING, CameraState.STREAMING, CameraState.IDLE, CameraState.CONNECTING,
             CameraState.UNREACHABLE, CameraState.CONNECTING, CameraState.UNREACHABLE, CameraState.CONNECTING,
             CameraState.STREAMING, CameraState.IDLE, CameraState.CONNECTING, CameraState.AUTH_FAILED]
    previous = CameraState.IDLE
    for state in steps:
        worker._on_state(source, previous, state, None)
        previous = state
    published = []
    while not worker._changes.empty():
        change = worker._changes.get()
        published.append((change.previous, change.current))
    assert published == [(CameraState.IDLE, CameraState.UNREACHABLE), (CameraState.UNREACHABLE, CameraState.STREAMING),
                         (CameraState.IDLE, CameraState.AUTH_FAILED)]
    worker.hub.close(timeout=1)


def test_the_recorded_cameras_limit_keeps_the_lowest_codes(db: Database, settings: Settings) -> None:
    from qorgau.video import cameras

    for n in (3, 1, 2):
        add_camera(db, f"CAM-{n:04d}", main=f"rtsp://10.0.0.{n}/main")
    with db.sessions() as session:
        limited = cameras.load(session, settings.model_copy(update={"video_recorded_cameras_limit": 2}))
        unlimited = cameras.load(session, settings)
    assert {c.code: c.recording_mode.value for c in limited} == {"CAM-0001": "continuous", "CAM-0002": "continuous",
                                                                  "CAM-0003": "off"}
    assert {c.recording_mode.value for c in unlimited} == {"continuous"}
