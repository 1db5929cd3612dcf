"""`qorgau demo` stops within seconds however the stop comes — Ctrl-C to its process group without a terminal,
SIGTERM to it alone, its server dying, or the demo itself killed — with its summary printed, and its broker
and server never outlive it."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.processes import (
    DEMO_HELPERS,
    Demo,
    copy_demo_data,
    demo_helpers,
    helper_running,
    interrupt_group,
    running,
    seed_demo_data,
    start_demo,
    stop_within,
    wait_active,
    wait_gone,
)

# Each test seeds or copies a town and starts the whole demo (broker, server, simulator) before it stops it.
pytestmark = pytest.mark.timeout(150)

STOP_BOUND_S = 15.0  # measured 2–4 s on the 2-core VM; without the fixes these took 60 s or never ended


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("demo-template")
    seed_demo_data(data)
    return data


def _started(template: Path, tmp_path: Path) -> tuple[Demo, list[int]]:
    var, url = copy_demo_data(template, tmp_path / "data")
    demo = start_demo(var, url, tmp_path, "--intensity", "3", "--duty-officer", "0")
    try:
        wait_active(demo)
        helpers = demo_helpers(demo.process.pid)
        assert len(helpers) == DEMO_HELPERS, (f"expected the broker, the server, the video supervisor and the RTSP "
                                              f"server, found {helpers}\n{demo.logs()}")
    except BaseException:
        stop_within(demo.process, lambda: os.killpg(demo.process.pid, signal.SIGKILL))
        raise
    return demo, helpers


STOPS: dict[str, Callable[[Demo, list[int]], None]] = {
    "ctrl-c to the group, no terminal": lambda demo, _: interrupt_group(demo.process)(),
    "sigterm to the demo alone": lambda demo, _: demo.process.send_signal(signal.SIGTERM),
}


@pytest.mark.parametrize("how", list(STOPS))
def test_a_stop_signal_ends_the_run_and_everything_with_it(template: Path, tmp_path: Path, how: str) -> None:
    demo, helpers = _started(template, tmp_path)
    code, took = stop_within(demo.process, lambda: STOPS[how](demo, helpers))
    assert code == 0 and took < STOP_BOUND_S, f"exit {code} after {took:.1f} s\n{demo.logs()}"
    summary = demo.summary()
    assert summary["ended_by"] in ("SIGINT", "SIGTERM")
    assert summary["dc09"]["failed"] == 0, summary["dc09"]
    assert wait_gone(helpers) == [], f"the broker or the server outlived the demo\n{demo.logs()}"
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{demo.base}/readyz", timeout=5)
    assert "INFO uvicorn.error: Application shutdown complete" in demo.server_log.read_text()


def test_the_run_ends_when_its_server_dies(template: Path, tmp_path: Path) -> None:
    demo, helpers = _started(template, tmp_path)
    try:
        server = helper_running(helpers, "serve")
    except BaseException:
        stop_within(demo.process, lambda: os.killpg(demo.process.pid, signal.SIGKILL))
        raise
    code, took = stop_within(demo.process, lambda: os.kill(server, signal.SIGKILL))
    assert code == 1 and took < STOP_BOUND_S, f"exit {code} after {took:.1f} s\n{demo.logs()}"
    assert demo.summary()["ended_by"].startswith("the server exited with code -9")
    assert "the server exited" in demo.log.read_text()
    assert wait_gone(helpers) == [], "the broker outlived the demo"


def test_a_killed_demo_takes_its_broker_and_server_with_it(template: Path, tmp_path: Path) -> None:
    demo, helpers = _started(template, tmp_path)
    demo.process.kill()  # no handler runs: only the kernel's parent-death signal can stop the children
    demo.process.wait()
    assert wait_gone(helpers) == [], [pid for pid in helpers if running(pid)]
