"""Fixtures of the video worker tests: H.264 test input made from the shared clip, quick video settings, cameras
in the registry, and a misbehaving HTTP camera (refuses credentials, stalls mid-stream, never answers)."""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from qorgau.core.bus import Context
from qorgau.core.db import Database
from qorgau.devices import geo
from qorgau.devices import service as device_service
from qorgau.devices.models import Device
from qorgau.devices.schemas import DeviceCreate
from qorgau.video.config import VideoSettings
from tests.conftest import CLI_ACTOR, SHARED

CLIP = SHARED / "data" / "video" / "road-640x360.avi"  # MPEG-4 part 2: not passed through (unsupported)


def transcode(source: Path, target: Path, *, seconds: float, extra: tuple[str, ...] = ()) -> Path:
    subprocess.run(["/usr/bin/ffmpeg", "-v", "error", "-y", "-i", str(source), "-t", str(seconds), "-an",
                    "-c:v", "libx264", "-preset", "ultrafast", "-g", "15", "-bf", "0", "-pix_fmt", "yuv420p",
                    *extra, str(target)], check=True, timeout=60)
    return target


@pytest.fixture(scope="session")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """An H.264 MP4 (3 s, 640x360, 30 fps), the same as MPEG-TS (for the HTTP camera) and a smaller one (1 s,
    320x180) as MPEG-TS (a resolution change)."""
    folder = tmp_path_factory.mktemp("clips")
    mp4 = transcode(CLIP, folder / "road.mp4", seconds=3)
    ts = transcode(CLIP, folder / "road.ts", seconds=3)
    small = transcode(CLIP, folder / "small.ts", seconds=1, extra=("-vf", "scale=320:180"))
    return {"mp4": mp4, "ts": ts, "small_ts": small, "mpeg4": CLIP}


@pytest.fixture(autouse=True, scope="session")
def district_boundary() -> None:
    """The registry checks that devices stand in the district: the shared source data's boundary (tests only)."""
    if geo.district_boundary() is None:
        geo.configure_boundary(geo.boundary_from_file(SHARED / "data" / "aksai" / "burlinsky-district.geojson"))


def quick_settings(**changes: Any) -> VideoSettings:
    """Video settings with short timeouts, so the failure paths show within a test."""
    base: dict[str, Any] = {"video_connect_timeout_s": 2.0, "video_no_video_after_s": 1.5,
                            "video_backoff_max_s": 2.0, "video_auth_retry_s": 10.0, "video_idle_stop_s": 0.5,
                            "video_status_interval_s": 0.3}
    return VideoSettings(**(base | changes))


def wait_for(condition: Callable[[], object], timeout: float = 10.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


class BadCamera:
    """An HTTP camera on 127.0.0.1 that misbehaves on purpose: ``refuse`` (401), ``stall`` (sends the first
    ``stall_bytes`` of a stream and then nothing, the connection kept open) or ``hang`` (never answers)."""

    def __init__(self, mode: str, payload: bytes | list[bytes] = b"", stall_bytes: int = 60_000) -> None:
        self.mode = mode
        self.payloads = payload if isinstance(payload, list) else [payload]
        self.stall_bytes = stall_bytes
        self.requests: list[str] = []
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self._stop = threading.Event()
        self._held: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/stream.ts"

    def _serve(self) -> None:
        self._server.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._held.append(conn)
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        conn.settimeout(5)
        try:
            request = conn.recv(65536).decode("latin-1")
        except OSError:
            return
        self.requests.append(request)
        if self.mode == "refuse":
            conn.sendall(b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"cam\"\r\n"
                         b"Content-Length: 0\r\nConnection: close\r\n\r\n")
            conn.close()
        elif self.mode == "stall":  # request n gets payload n (the last one again after that)
            payload = self.payloads[min(len(self.requests), len(self.payloads)) - 1]
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: video/mp2t\r\n\r\n" + payload[:self.stall_bytes])
        # hang: say nothing, keep the connection

    def close(self) -> None:
        self._stop.set()
        self._server.close()
        for conn in self._held:
            conn.close()


@pytest.fixture
def bad_camera() -> Iterator[Callable[..., BadCamera]]:
    made: list[BadCamera] = []

    def make(mode: str, payload: bytes | list[bytes] = b"", stall_bytes: int = 60_000) -> BadCamera:
        made.append(BadCamera(mode, payload, stall_bytes))
        return made[-1]

    yield make
    for camera in made:
        camera.close()


def alias(clip: Path, name: str) -> str:
    """The clip under another name (stream URLs are unique in the registry, so each camera gets its own)."""
    link = clip.parent / f"{name}{clip.suffix}"
    if not link.exists():
        link.symlink_to(clip)
    return str(link)


def add_camera(db: Database, code: str, *, main: str | None = None, sub: str | None = None,
               lifecycle: str = "commissioned", purpose: str = "public_space", lon: float = 53.0115,
               lat: float = 51.1739, username: str | None = None, password: str | None = None) -> int:
    """A camera in the registry; its stream URLs are written directly (files and test servers are not URLs the
    registry's own validation accepts)."""
    with db.unit_of_work() as session:
        device = device_service.create(session, device_in=DeviceCreate.model_validate({
            "code": code, "kind": "camera", "purpose": purpose, "name_kk": code, "name_ru": code, "lon": lon,
            "lat": lat, "lifecycle": lifecycle, "username": username, "password": password,
        }), actor=CLI_ACTOR, ctx=Context.system("test"))
        session.execute(update(Device).where(Device.id == device.id).values(stream_main=main, stream_sub=sub))
        return device.id
