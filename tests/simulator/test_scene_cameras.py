"""A scenario's video step switches what a simulated camera serves (a covered lens, a scene), and the restore at
the step's end brings its own clip back; read by a real RTSP client and judged by the picture-health checks."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import av
import numpy as np
import numpy.typing as npt
import pytest

from qorgau.simulator import scenarios
from qorgau.simulator.stats import Stats
from qorgau.simulator.video.cameras import SimCameras
from qorgau.simulator.video.server import CameraLogin
from qorgau.simulator.world import Device, Site, World
from qorgau.video.analytics.picture_health import Limits, covered, measure

CAMERA = Device("CAM-5", "camera", "c", "ENT-1", 53.1, 51.2, 180)  # maps to the road clip
WORLD = World(sites=(Site("ENT-1", "city_entry", None, "Въезд 1", 53.1, 51.2),), devices=(CAMERA,), units=(),
              streets=())


def picture(cams: SimCameras) -> npt.NDArray[np.uint8]:
    """The first decoded frame of the camera's sub-stream, as the video worker would get it."""
    url = cams.server.url(CAMERA.code, "sub", credentials=True)
    with av.open(url, options={"rtsp_transport": "tcp"}, timeout=(5.0, 5.0)) as container:
        for frame in container.decode(container.streams.video[0]):
            return np.asarray(frame.to_ndarray(format="bgr24"), dtype=np.uint8)
    raise AssertionError("no frame")


@pytest.mark.timeout(90)
def test_cover_and_play_steps_switch_the_picture_until_restored() -> None:
    cams = SimCameras([CAMERA], stats=Stats())
    cams.server.start({CAMERA.code: CameraLogin("sim-viewer", "secret", "h264")})
    cams.running = True
    night = scenarios.Scenario(name="night", title="night", steps=[
        scenarios.Step(do="play", site="ENT-1", clip="yard-night", seconds=30.0)])
    steps = {"cover": scenarios.resolve(scenarios.load("entry-camera-covered"), WORLD, datetime.now(UTC))[0],
             "night": scenarios.resolve(night, WORLD, datetime.now(UTC))[0]}

    async def play() -> None:
        own = await asyncio.to_thread(picture, cams)
        assert not covered(measure(own)[0], Limits()) and not measure(own)[0].grey
        cover = steps["cover"]
        await cams.fault(cover.target, str(cover.params["fault"]), 2.0, cover.params.get("clip"))
        dark = await asyncio.to_thread(picture, cams)
        assert covered(measure(dark)[0], Limits()) and dark.shape == own.shape
        await asyncio.sleep(2.5)  # the step's time is over: restored
        assert not covered(measure(await asyncio.to_thread(picture, cams))[0], Limits())
        scene = steps["night"]
        await cams.fault(scene.target, str(scene.params["fault"]), 30.0, scene.params.get("clip"))
        infrared = measure(await asyncio.to_thread(picture, cams))[0]
        assert infrared.grey and not covered(infrared, Limits())  # the yard at night in IR: grey, not covered
        started = time.monotonic()
        await cams.stop()
        assert time.monotonic() - started < 10  # the pending restore is cancelled, not awaited

    try:
        asyncio.run(play())
    finally:
        cams.server.stop()
