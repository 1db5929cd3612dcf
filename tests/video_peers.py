"""Real video peers for tests: the simulator's GStreamer RTSP server serving looping H.264/H.265 camera clips.

    with rtsp_server(tmp_path, cameras={"CAM-1": ("admin", "secret")}, h265={"CAM-2"}) as cams:
        av.open(cams.url("CAM-1", "sub", credentials=True), options={"rtsp_transport": "tcp"})
        cams.fault("drop", "CAM-1", 3)  # also: ("password", code, "new"), ("freeze", code), ("restore", code)

Each camera code maps to one clip by a stable hash; ``main`` is 1280x720, ``sub`` 640x360, both H.264 (a camera
in ``h265`` gets the H.265 main clip). A server is ready within about a second; it dies with the test process.
Answers as FFmpeg sees them: unknown or missing credentials 401 (``av.error.HTTPUnauthorizedError``), an unknown or
dropped camera 404 (``HTTPNotFoundError``), and so is another camera's valid login (gst-rtsp-server hides what a
known user may not open). ``fault("freeze", code)`` keeps sessions open without frames; a new client of a frozen
camera gets one frame. ``clients(code)`` counts the RTSP connections playing a camera.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pytest

from qorgau.simulator.video.server import CLIPS, CameraLogin, RtspServer, Stream, available

__all__ = ["CLIPS", "RtspServer", "Stream", "h264_clip", "rtsp_server"]

@contextmanager
def rtsp_server(tmp_path: Path, cameras: Mapping[str, tuple[str, str]], *, h265: Collection[str] = (),
                port: int = 0) -> Iterator[RtspServer]:
    """A running RTSP server for ``cameras`` ({code: (user, password)}); its GStreamer log in tmp_path."""
    if not available():
        pytest.fail("GStreamer's RTSP server is not installed: run ./run test (setup_peers) or ./run setup")
    logins = {code: CameraLogin(user, password, "h265" if code in h265 else "h264")
              for code, (user, password) in cameras.items()}
    server = RtspServer(log=tmp_path / "rtsp-server.log", port=port)
    try:
        server.start(logins)
        yield server
    finally:
        server.stop()


def h264_clip(family: str = "road", stream: Stream = "main") -> Path:
    """One of the repository's H.264 clips (``road``, ``highway``, ``lanes``, ``pedestrians``) as a file."""
    return CLIPS / f"{family}-{stream}.mp4"
