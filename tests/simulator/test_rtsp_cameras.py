"""The simulator's cameras on a real server: provisioned over the API to stream from the RTSP server, faults played."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import av
import av.error
import pytest

from qorgau.core.db import Database
from qorgau.simulator import plan
from qorgau.simulator.api import Api
from qorgau.simulator.plan import Planned, Planner
from qorgau.simulator.runner import SimConfig, Simulation
from qorgau.simulator.stats import Stats
from qorgau.simulator.video.cameras import SimCameras, codec_of
from qorgau.simulator.world import Device, World, device_from_api
from tests.conftest import PASSWORD, copied_database, make_user
from tests.server import cli_env, running_server
from tests.simulator.test_plan import MORNING

CODES = ("CAM-9001", "CAM-9002", "CAM-9003")
OPTIONS = {"rtsp_transport": "tcp", "analyzeduration": "200000"}  # a short probe: the clips are plain H.264/H.265


def open_stream(url: str, user: str, password: str) -> str:
    """The codec of a stream opened with these credentials, after one packet arrived."""
    with av.open(url.replace("rtsp://", f"rtsp://{user}:{password}@"), options=OPTIONS,
                 timeout=(5.0, 5.0)) as container:
        stream = container.streams.video[0]
        next(container.demux(stream))
        return str(stream.codec_context.name)


async def play(base: str, log: Path) -> None:
    async with Api(base) as admin, Api(base) as sim:
        await admin.login("boss", PASSWORD)
        for code in CODES:
            await admin.post("/api/devices", {
                "code": code, "kind": "camera", "purpose": "public_space", "name_kk": code, "name_ru": code,
                "lon": 53.0115, "lat": 51.1739, "lifecycle": "commissioned", "simulated": True})
        await sim.login("sim", PASSWORD)
        world = [device_from_api(item) for item in await sim.all("/api/devices", simulated="true", kind="camera")]
        stats = Stats()
        cameras = SimCameras(world, stats=stats, log_path=log)
        try:
            assert await cameras.start(sim) == len(CODES)
            assert stats["http"].failed == 0 and stats.by_action["camera_provisioned"] == len(CODES)
            for code in CODES:
                device = await admin.get(f"/api/devices/{code}")
                login = cameras.server.logins[code]
                assert device["stream_main"] == cameras.server.url(code, "main")  # no credentials in the URL
                assert login.password not in str(device)  # write-only on the server
                main = await asyncio.to_thread(open_stream, device["stream_main"], login.user, login.password)
                sub = await asyncio.to_thread(open_stream, device["stream_sub"], login.user, login.password)
                assert (main, sub) == ("hevc" if codec_of(code) == "h265" else "h264", "h264")
            code = CODES[0]
            login = cameras.server.logins[code]
            # Played as the runner plays it: the fault reaches the RTSP server and the camera's heartbeats pause.
            simulation = Simulation(SimConfig(url=base), cameras=cameras)
            simulation._perform(sim, World(sites=(), devices=tuple(world), units=(), streets=()),
                                Planned(at=datetime.now(UTC), action="camera_fault", target=code,
                                        params={"fault": "password", "seconds": 1.5}))
            assert simulation._silent[code] > time.monotonic()
            await asyncio.sleep(0.3)
            with pytest.raises(av.error.HTTPUnauthorizedError):
                await asyncio.to_thread(open_stream, cameras.server.url(code, "sub"), login.user, login.password)
            await asyncio.sleep(2.0)  # restored by then
            await asyncio.to_thread(open_stream, cameras.server.url(code, "sub"), login.user, login.password)
            await cameras.drop(code, 30.0)
            with pytest.raises(av.error.HTTPNotFoundError):
                await asyncio.to_thread(open_stream, cameras.server.url(code, "sub"), login.user, login.password)
            await cameras.drop("PNL-0001", 30.0)  # not a camera: ignored, as the runner sends every outage
        finally:
            await cameras.stop()
        assert cameras.server.process is None


def test_simulated_cameras_stream_from_the_rtsp_server_with_their_registry_credentials(
        tmp_path: Path, sqlite_template: Path) -> None:
    with copied_database(sqlite_template, tmp_path) as url:
        database = Database(url)
        make_user(database, "sim", "simulator")
        make_user(database, "boss", "admin")
        database.dispose()
        with running_server(cli_env(tmp_path / "var", url), tmp_path / "server.log") as base:
            asyncio.run(play(base, tmp_path / "rtsp.log"))


def camera_world() -> World:
    """Cameras only: planning them is cheap at a high intensity."""
    cameras = tuple(Device(f"CAM-{k:03d}", "camera", "cam", None, 53.02, 51.18, 180) for k in range(200))
    return World(sites=(), devices=cameras, units=(), streets=())


def test_the_plan_injects_camera_faults_drawn_after_everything_else(monkeypatch: pytest.MonkeyPatch) -> None:
    end = MORNING + timedelta(hours=6)
    items = Planner(camera_world(), seed=5, intensity=50).window(MORNING, end)
    faults = [p for p in items if p.action == "camera_fault"]
    assert {p.params["fault"] for p in faults} == {"freeze", "password"}
    assert all(p.target.startswith("CAM-") and 60 <= p.params["seconds"] <= 3600 for p in faults)
    assert sum(p.params["fault"] == "freeze" for p in faults) > len(faults) / 2  # a frozen picture is the usual one
    # The rest of the plan is what it was before cameras had faults: the same seed keeps its story.
    monkeypatch.setattr(plan, "CAMERA_FAULTS_PER_DAY", 0.0)
    rest = [p for p in items if p.action != "camera_fault"]
    assert rest and Planner(camera_world(), seed=5, intensity=50).window(MORNING, end) == rest
