"""The video supervisor: starts its workers, restarts a killed one, stops all within the grace; `qorgau video run`
as real processes against a real database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from qorgau.core.db import Database
from qorgau.video.models import CameraStatus
from qorgau.video.supervisor import VideoSupervisor
from tests.conftest import copied_database
from tests.video.conftest import add_camera, alias, wait_for

SLEEPER = [sys.executable, "-c", "import signal, time; signal.signal(signal.SIGTERM, lambda *a: exit(0)); "
                                 "time.sleep(60)"]
STUBBORN = [sys.executable, "-c", "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
                                  "print('up', flush=True); time.sleep(60)"]


def test_a_killed_worker_is_restarted_and_all_stop_on_request() -> None:
    supervisor = VideoSupervisor(3, grace_s=5, command=lambda i, n: SLEEPER)
    stop = threading.Event()
    runner = threading.Thread(target=supervisor.run, args=(stop,))
    runner.start()
    try:
        wait_for(lambda: all(supervisor.pids()), 10, "three workers")
        first = supervisor.pids()
        os.kill(first[1] or 0, signal.SIGKILL)
        wait_for(lambda: supervisor.slots[1].restarts == 1 and supervisor.pids()[1] not in (None, first[1]),
                 10, "the restart")
        assert supervisor.pids()[0] == first[0] and supervisor.pids()[2] == first[2]
        assert supervisor.slots[1].exits == [-signal.SIGKILL]
    finally:
        stop.set()
        started = time.monotonic()
        runner.join(10)
    assert time.monotonic() - started < 3 and not runner.is_alive()
    assert supervisor.pids() == [None, None, None]


def test_a_worker_that_crashes_at_once_backs_off() -> None:
    supervisor = VideoSupervisor(1, grace_s=1, command=lambda i, n: [sys.executable, "-c", "raise SystemExit(3)"])
    now = time.monotonic()
    supervisor.step(now)
    process = supervisor.slots[0].process
    assert process is not None
    process.wait(10)
    supervisor.step(now + 0.1)
    slot = supervisor.slots[0]
    assert slot.exits == [3] and slot.process is None and slot.restart_at == pytest.approx(now + 1.1)
    supervisor.step(now + 0.5)
    assert slot.process is None  # still backing off
    supervisor.step(now + 1.2)
    assert slot.process is not None
    slot.process.wait(10)
    supervisor.step(now + 1.3)
    assert slot.restart_at == pytest.approx(now + 3.3)  # doubled
    supervisor.stop_all()


def test_a_worker_that_ignores_sigterm_is_killed_after_the_grace(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with out.open("wb") as output:
        supervisor = VideoSupervisor(1, grace_s=1, command=lambda i, n: STUBBORN, output=output)
        supervisor.step()
        process = supervisor.slots[0].process
        assert process is not None
        wait_for(lambda: out.read_bytes() == b"up\n", 10, "its SIGTERM handler in place")
        started = time.monotonic()
        supervisor.stop_all()
    assert 0.9 < time.monotonic() - started < 3 and process.returncode == -signal.SIGKILL


@pytest.mark.timeout(90)  # starts real `qorgau` processes (each imports the whole program: seconds on 2 cores)
def test_qorgau_video_run_streams_restarts_a_killed_worker_and_stops_in_time(
        sqlite_template: Path, tmp_path: Path, clips: dict[str, Path]) -> None:
    from qorgau.core.crypto import configure_keyring, load_keyring
    from qorgau.domains import load_events, load_models
    from qorgau.settings import Settings

    with copied_database(sqlite_template, tmp_path) as url:
        env = {**os.environ, "QORGAU_DATABASE_URL": url, "QORGAU_DATA_DIR": str(tmp_path / "var"),
               "QORGAU_LOG_JSON": "false", "QORGAU_VIDEO_STATUS_INTERVAL_S": "0.5", "QORGAU_SHUTDOWN_GRACE_S": "3"}
        load_models()
        load_events()
        settings = Settings(data_dir=tmp_path / "var", database_url=url)
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        configure_keyring(load_keyring(settings))
        db = Database(url)
        ids = [add_camera(db, f"CAM-{n:04d}", main=alias(clips["mp4"], f"s{n}")) for n in (1, 2)]
        log = (tmp_path / "video.log").open("wb")
        run = subprocess.Popen([sys.executable, "-m", "qorgau.cli", "video", "run", "--workers", "2"],
                               env=env, stdout=log, stderr=subprocess.STDOUT)

        def workers() -> dict[int, int]:
            with db.sessions() as session:
                return {r.device_id: r.worker for r in session.scalars(select(CameraStatus))}

        def children() -> list[int]:
            out = subprocess.run(["pgrep", "-P", str(run.pid)], capture_output=True, text=True, check=False)
            return [int(pid) for pid in out.stdout.split()]

        try:
            wait_for(lambda: len(workers()) == 2, 45, "status rows from both workers")
            assert {workers()[i] for i in ids} == {0, 1}
            first = children()
            assert len(first) == 2
            os.kill(first[0], signal.SIGKILL)
            wait_for(lambda: len(set(children()) - set(first)) == 1 and len(children()) == 2, 30, "the restart")
            run.send_signal(signal.SIGTERM)
            started = time.monotonic()
            run.wait(15)
            assert time.monotonic() - started < 3 + 2 + 1
            assert run.returncode == 0 and children() == []
        finally:
            if run.poll() is None:
                run.kill()
                run.wait()
            log.close()
            db.dispose()
        text = (tmp_path / "video.log").read_text(errors="replace")
        assert "exited with code -9; restarting" in text
