"""The roads' cameras serve their own composed clips over RTSP (never another camera's rotation clip), and the
wanted-car scene plays on an entry camera: checked with a real RTSP client against the clips' first frames."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import numpy.typing as npt
import pytest

from qorgau.simulator.stats import Stats
from qorgau.simulator.video.cameras import OWN_CLIP, SimCameras
from qorgau.simulator.video.server import CameraLogin
from qorgau.simulator.world import Device, Site

CLIPS = Path(__file__).parents[2] / "src" / "qorgau" / "simulator" / "video" / "clips"
ENTRY = Device("CAM-7", "camera", "c", "ENT-1", 53.1, 51.2, 180)
CROSSING = Device("CAM-8", "camera", "c", "X-1", 53.1, 51.2, 0)
SITES = (Site("ENT-1", "city_entry", None, "Въезд 1", 53.1, 51.2), Site("X-1", "intersection", None, "X", 53.1, 51.2))


def first_frame(source: str, **options: str) -> npt.NDArray[np.float32]:
    with av.open(source, options=options, timeout=(5.0, 5.0)) as container:
        for frame in container.decode(container.streams.video[0]):
            return np.asarray(frame.to_ndarray(format="bgr24"), dtype=np.float32)
    raise AssertionError(f"no frame from {source}")


@pytest.mark.timeout(60)
def test_entry_and_crossing_cameras_serve_their_own_clips_and_the_wanted_scene() -> None:
    kinds = {s.code: s.kind for s in SITES}
    cams = SimCameras([ENTRY, CROSSING], stats=Stats(), site_kinds=kinds)
    cams.server.start({camera.code: CameraLogin("sim-viewer", "secret", "h264", OWN_CLIP[kinds[camera.site_code or ""]])
                       for camera in (ENTRY, CROSSING)})
    try:
        def served(code: str) -> npt.NDArray[np.float32]:
            return first_frame(cams.server.url(code, "sub", credentials=True), rtsp_transport="tcp")

        def differs(a: npt.NDArray[np.float32], family: str) -> float:
            return float(np.abs(a - first_frame(str(CLIPS / f"{family}-sub.mp4"))).mean())

        entry, crossing = served(ENTRY.code), served(CROSSING.code)
        # The stream starts where the loop is: compare with the clip, not pixel-exact (both are decoded H.264).
        assert differs(entry, "roads-entry") < 12 and differs(entry, "pedestrians") > 25
        # The crossing's signal head is in its picture, not in the entry's.
        head = (slice(20, 100), slice(592, 622))
        assert float(crossing[head].mean()) < float(entry[head].mean()) - 40
        cams.server.play(ENTRY.code, "scene-wanted-car")
        assert differs(served(ENTRY.code), "scene-wanted-car") < 12
    finally:
        cams.server.stop()
