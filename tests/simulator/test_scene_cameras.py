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

CAMERA = Device("CAM-5", "camera", "c", "ENT-1", 53.1, 51.2, 180)  # at a city entry: the road clip
PEOPLE = Device("CAM-6", "camera", "c", "PA-001", 53.1, 51.2, 180)  # in a public area: the pedestrians
SITES = (Site("ENT-1", "city_entry", None, "Въезд 1", 53.1, 51.2),
         Site("PA-001", "public_area", None, "Общественное место №1", 53.1, 51.2))
WORLD = World(sites=SITES, devices=(CAMERA, PEOPLE), units=(), streets=())


def picture(cams: SimCameras, code: str = CAMERA.code) -> npt.NDArray[np.uint8]:
    """The first decoded frame of the camera's sub-stream, as the video worker would get it."""
    url = cams.server.url(code, "sub", credentials=True)
    with av.open(url, options={"rtsp_transport": "tcp"}, timeout=(5.0, 5.0)) as container:
        for frame in container.decode(container.streams.video[0]):
            return np.asarray(frame.to_ndarray(format="bgr24"), dtype=np.uint8)
    raise AssertionError("no frame")


@pytest.mark.timeout(90)
def test_cover_and_play_steps_switch_the_picture_until_restored() -> None:
    cams = SimCameras([CAMERA, PEOPLE], stats=Stats(), site_kinds={s.code: s.kind for s in SITES})
    cams.server.start({CAMERA.code: CameraLogin("sim-viewer", "secret", "h264", "road"),
                       PEOPLE.code: CameraLogin("sim-viewer", "secret", "h264", "pedestrians")})
    cams.running = True
    story = scenarios.Scenario(name="story", title="story", steps=[
        scenarios.Step(do="cover", site="ENT-1", seconds=2.0),
        scenarios.Step(do="play", site="ENT-1", clip="yard-night", seconds=30.0)])
    cover_step, night_step = scenarios.resolve(story, WORLD, datetime.now(UTC))
    steps = {"cover": cover_step, "night": night_step}

    async def play() -> None:
        own = await asyncio.to_thread(picture, cams)
        assert not covered(measure(own)[0], Limits()) and not measure(own)[0].grey
        # Each camera's own clip by its place: the road (dull grey-blue) and the pedestrians (colourful).
        people = measure(await asyncio.to_thread(picture, cams, PEOPLE.code))[0]
        assert measure(own)[0].chroma < 8 < 12 < people.chroma
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
