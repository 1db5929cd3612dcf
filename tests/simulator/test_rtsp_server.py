"""The simulated cameras' RTSP server, read by a real RTSP client (FFmpeg through PyAV) over TCP."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import av
import av.error
import pytest

from qorgau.simulator.video.server import CLIPS, CameraLogin, RtspServer
from tests.video_peers import rtsp_server

ROAD = "CAM-5"  # maps to the 12.5 s road clip: the shortest loop
H265 = "CAM-2"
OPTIONS = {"rtsp_transport": "tcp", "analyzeduration": "200000"}  # a short probe: the clips are plain H.264/H.265
CAMERAS = {ROAD: ("admin", "road-pass"), H265: ("admin", "hevc-pass"), "CAM-1": ("viewer", "one-pass")}


def open_stream(url: str, read_timeout_s: float = 5.0) -> av.container.InputContainer:
    """An RTSP session over TCP, as the video worker opens one."""
    return av.open(url, options=OPTIONS, timeout=(5.0, read_timeout_s))


@dataclass
class Reader:
    """Reads a stream in a thread, noting when each packet arrived, until told to stop or the stream ends."""

    url: str
    packets: list[tuple[float, int | None, bool]] = field(default_factory=list)
    ended: float | None = None
    error: Exception | None = None
    stop: threading.Event = field(default_factory=threading.Event)
    size: tuple[int, int, str] | None = None

    def __post_init__(self) -> None:
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            with open_stream(self.url, read_timeout_s=30.0) as container:
                stream = container.streams.video[0]
                self.size = (stream.codec_context.width, stream.codec_context.height, stream.codec_context.name)
                for packet in container.demux(stream):
                    if packet.size:
                        self.packets.append((time.monotonic(), packet.pts, packet.is_keyframe))
                    if self.stop.is_set():
                        return
        except (av.error.FFmpegError, OSError) as error:
            self.error = error
        finally:
            self.ended = time.monotonic()

    def wait_packets(self, count: int, timeout_s: float = 10.0) -> None:
        """Until ``count`` packets have come."""
        deadline = time.monotonic() + timeout_s
        while len(self.packets) < count and self.ended is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.packets) >= count, (len(self.packets), self.error)

    def since(self, moment: float) -> int:
        """Packets that arrived after ``moment``."""
        return sum(1 for arrived, _, _ in self.packets if arrived > moment)

    def close(self) -> None:
        """Stop reading (at the next packet or the read timeout)."""
        self.stop.set()
        self.thread.join(35.0)


def test_main_and_sub_play_past_the_loop_point_with_increasing_timestamps(tmp_path: Path) -> None:
    with rtsp_server(tmp_path, CAMERAS, h265={H265}) as cams:
        main, hevc = Reader(cams.url(ROAD, "main", credentials=True)), Reader(cams.url(H265, "main", credentials=True))
        with open_stream(cams.url(ROAD, "sub", credentials=True)) as container:
            stream = container.streams.video[0]
            assert (stream.codec_context.name, stream.codec_context.width, stream.codec_context.height) == (
                "h264", 640, 360)
            pts: list[int] = []
            decoded = 0
            started = time.monotonic()
            for packet in container.demux(stream):
                if packet.pts is not None:
                    pts.append(packet.pts)
                if decoded < 5 or len(pts) > 30 * 13:  # frames decode before and after the loop point
                    decoded += len(packet.decode())
                if len(pts) >= 30 * 14 or time.monotonic() - started > 25:
                    break
            time_base = stream.time_base  # read while open: PyAV 18 refuses a closed container's streams
        main.close()
        hevc.close()
    assert time_base is not None
    seconds = float((pts[-1] - pts[0]) * time_base)
    assert len(pts) >= 30 * 14 and seconds > 13.0  # past the 12.47 s clip's end, still at 30 fps
    assert all(b > a for a, b in itertools.pairwise(pts)), "timestamps go back at the loop point"
    assert decoded > 10
    assert main.size == (1280, 720, "h264")
    assert hevc.size == (1280, 720, "hevc")
    for reader in (main, hevc):  # the main streams loop the same way (RTP clock: 90 kHz)
        stamps = [pts for _, pts, _ in reader.packets if pts is not None]
        assert all(b > a for a, b in itertools.pairwise(stamps))
        assert (stamps[-1] - stamps[0]) / 90_000 > 12.5


def test_wrong_or_missing_credentials_get_401_and_unknown_cameras_404(tmp_path: Path) -> None:
    with rtsp_server(tmp_path, CAMERAS) as cams:
        wrong = cams.url(ROAD, "main").replace("rtsp://", "rtsp://admin:nope@")
        for url in (wrong, cams.url(ROAD, "main")):
            with pytest.raises(av.error.HTTPUnauthorizedError):
                open_stream(url)
        with pytest.raises(av.error.HTTPNotFoundError):
            open_stream(cams.url(ROAD, "main", credentials=True).replace(ROAD, "CAM-NONE"))
        with open_stream(cams.url("CAM-1", "sub", credentials=True)) as container:
            assert container.streams.video[0].codec_context.name == "h264"


def test_a_changed_password_refuses_the_old_one_until_restored(tmp_path: Path) -> None:
    with rtsp_server(tmp_path, CAMERAS) as cams:
        old = cams.url(ROAD, "sub", credentials=True)
        reader = Reader(old)
        reader.wait_packets(10)
        cams.fault("password", ROAD, "changed-pass")
        reader.thread.join(10.0)
        assert reader.ended is not None  # the open session was closed
        with pytest.raises(av.error.HTTPUnauthorizedError):
            open_stream(old)
        with open_stream(cams.url(ROAD, "sub").replace("rtsp://", "rtsp://admin:changed-pass@")):
            pass
        cams.restore(ROAD)
        with open_stream(old):
            pass


def test_drop_disconnects_and_refuses_for_a_while(tmp_path: Path) -> None:
    with rtsp_server(tmp_path, CAMERAS) as cams:
        url = cams.url(ROAD, "sub", credentials=True)
        reader = Reader(url)
        reader.wait_packets(10)
        assert cams.clients(ROAD) == 1
        dropped = time.monotonic()
        cams.drop(ROAD, 3)
        reader.thread.join(10.0)
        assert reader.ended is not None and reader.ended - dropped < 8.0
        assert cams.clients(ROAD) == 0
        with pytest.raises(av.error.HTTPNotFoundError):
            open_stream(url)
        with open_stream(cams.url("CAM-1", "sub", credentials=True)):
            pass  # other cameras are unaffected
        time.sleep(max(0.0, dropped + 3.2 - time.monotonic()))
        with open_stream(url) as container:
            next(container.demux(container.streams.video[0]))


def test_freeze_keeps_the_session_without_frames_until_restored(tmp_path: Path) -> None:
    with rtsp_server(tmp_path, CAMERAS) as cams:
        reader = Reader(cams.url(ROAD, "sub", credentials=True))
        reader.wait_packets(15)
        cams.freeze(ROAD)
        time.sleep(1.0)  # what was already on the wire still arrives
        quiet_from = time.monotonic()
        # A new client of the frozen camera gets at most a first frame; it must not hold up other cameras.
        newcomer = Reader(cams.url(ROAD, "sub", credentials=True))
        time.sleep(0.5)
        started = time.monotonic()
        with open_stream(cams.url("CAM-1", "sub", credentials=True)) as container:
            next(container.demux(container.streams.video[0]))
        assert time.monotonic() - started < 3.0
        time.sleep(max(0.0, quiet_from + 2.0 - time.monotonic()))
        assert reader.since(quiet_from) <= 1  # FFmpeg may hand over the last frame it held back
        assert len(newcomer.packets) <= 1
        assert reader.ended is None and cams.clients(ROAD) == 2
        last_pts = max(pts for _, pts, _ in reader.packets if pts is not None)
        restored = time.monotonic()
        cams.restore(ROAD)
        deadline = time.monotonic() + 10.0
        while reader.since(restored) < 30 and time.monotonic() < deadline:
            time.sleep(0.05)
        reader.close()
        newcomer.close()
    after = [pts for arrived, pts, _ in reader.packets if arrived > restored and pts is not None]
    assert len(after) >= 30
    # Timestamps resume past the frozen time (~3 s at 90 kHz), as a camera's would: not a burst of old frames.
    assert after[-1] > last_pts + 2 * 90_000


def test_every_camera_code_of_a_plan_is_addressable(tmp_path: Path) -> None:
    cameras = {f"CAM-{n:04d}": (f"user{n}", f"pass{n}") for n in range(469)}
    started = time.monotonic()
    with rtsp_server(tmp_path, cameras, h265={"CAM-0468"}) as cams:
        ready_s = time.monotonic() - started
        for code in ("CAM-0000", "CAM-0137", "CAM-0468"):
            for kind in ("main", "sub"):
                with open_stream(cams.url(code, kind, credentials=True)) as container:
                    codec = container.streams.video[0].codec_context.name
                    assert codec == ("hevc" if (code, kind) == ("CAM-0468", "main") else "h264")
        # One camera's credentials do not open another; gst-rtsp-server answers 404 then (it hides what a known
        # user may not open), 401 only to credentials it does not know.
        with pytest.raises(av.error.HTTPNotFoundError):
            open_stream(cams.url("CAM-0001", "main").replace("rtsp://", "rtsp://user2:pass2@"))
    assert ready_s < 10.0


def test_every_clip_named_in_sources_exists() -> None:
    sources = (CLIPS / "SOURCES.md").read_text()
    clips = sorted(path.name for path in CLIPS.glob("*.mp4"))
    # 9 in rotation, 10 scenario scenes, 6 the roads' cameras' own
    assert len(clips) == 25 and all(f"`{name}`" in sources for name in clips)
    assert sum(path.stat().st_size for path in CLIPS.glob("*.mp4")) < 12_000_000


def test_a_server_started_from_a_thread_outlives_the_thread(tmp_path: Path) -> None:
    server = RtspServer(log=tmp_path / "rtsp.log")
    starter = threading.Thread(target=server.start, args=({ROAD: CameraLogin("u", "p")},))
    starter.start()
    starter.join(20.0)
    try:
        time.sleep(0.5)  # a death signal tied to the ended thread would have arrived by now
        with open_stream(server.url(ROAD, "sub", credentials=True)) as container:
            next(container.demux(container.streams.video[0]))
    finally:
        server.stop()


PARENT = """
import sys
from pathlib import Path
from qorgau.simulator.video.server import CameraLogin, RtspServer
server = RtspServer()
server.start({"CAM-1": CameraLogin("u", "p")})
print(server.pid, flush=True)
sys.stdin.read()
"""


def test_the_server_dies_with_its_parent(tmp_path: Path) -> None:
    with subprocess.Popen([sys.executable, "-c", PARENT], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          text=True, cwd=tmp_path) as parent:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        os.kill(child, 0)  # running
        os.kill(parent.pid, signal.SIGKILL)  # no cleanup code of the parent runs
        parent.wait(5.0)
    deadline = time.monotonic() + 5.0
    while time.monotonic() < deadline and Path(f"/proc/{child}").exists():
        try:
            state = Path(f"/proc/{child}/stat").read_text().split()[2]
        except FileNotFoundError:
            break  # gone between the two looks
        if state == "Z":
            break  # exited; a zombie until init reaps it
        time.sleep(0.05)
    else:
        assert not Path(f"/proc/{child}").exists(), "the RTSP server outlived its parent"
