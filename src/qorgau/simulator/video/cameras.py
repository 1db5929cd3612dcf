"""The simulated cameras: an RTSP server with a stream pair per camera, registered on the server as an installer
would (stream URLs and per-camera credentials over the API), and the faults the plan injects into them."""

from __future__ import annotations

import asyncio
import logging
import secrets
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from qorgau.simulator.api import Api, ApiError
from qorgau.simulator.stats import Stats
from qorgau.simulator.video.server import CameraLogin, RtspServer, RtspServerError, available
from qorgau.simulator.world import Device

log = logging.getLogger(__name__)

H265_EVERY = 25  # one camera in 25 sends H.265 on its main stream, as the newer models in a mixed fleet do
PROVISION_CONCURRENCY = 4  # parallel PATCHes: the server hashes nothing here, but keep the start gentle
FAULTS = ("freeze", "password", "cover", "play")  # besides "outage" (a dropped stream), which every kind has
# clips/scene-NAME-*.mp4, composed from real footage
SCENES = ("covered", "crowd", "yard-night", "stopped-car", "wanted-car")
# A camera's own clip by the kind of its site: persons where people are; at city entries, speed points and
# intersections the roads' traffic with readable Kazakh plates (compose_roads.py: the entries' plain traffic, the
# speed points' faster one, the intersections' with a stop line and a signal head). The scenes are made from these
# (persons: vtest.avi; the wanted car: the entries' traffic), so a scene shows the camera's own view and the
# picture-health checks do not take it for a camera turned away. Elsewhere the server chooses by code.
OWN_CLIP = {"social_object": "pedestrians", "public_area": "pedestrians", "police_post": "pedestrians",
            "situation_center": "pedestrians", "city_entry": "roads-entry", "speed_point": "roads-speed",
            "intersection": "roads-crossing"}
SIM_USER = "sim-viewer"


def codec_of(code: str) -> Literal["h264", "h265"]:
    """The main stream's codec of a simulated camera (stable across runs)."""
    return "h265" if zlib.crc32(code.encode()) % H265_EVERY == 0 else "h264"


class SimCameras:
    """Runs the RTSP server for the world's cameras and plays their faults; every call is safe when it is off."""

    def __init__(self, cameras: Sequence[Device], *, stats: Stats, host: str = "127.0.0.1", port: int = 0,
                 log_path: Path | None = None, site_kinds: Mapping[str, str] | None = None) -> None:
        self.cameras = tuple(cameras)
        self.site_kinds = dict(site_kinds or {})  # site code -> its kind
        self.stats = stats
        self.server = RtspServer(log=log_path, port=port, host=host)
        self.running = False
        self._restores: dict[str, asyncio.Task[None]] = {}

    async def start(self, api: Api) -> int:
        """Start the server and point every camera at it; returns how many cameras were provisioned."""
        if not self.cameras:
            return 0
        if not available():
            log.warning("GStreamer's RTSP server is not installed (./run start installs it): the simulated "
                        "cameras have no video")
            return 0
        logins = {camera.code: CameraLogin(SIM_USER, secrets.token_urlsafe(12), codec_of(camera.code),
                                           OWN_CLIP.get(self.site_kinds.get(camera.site_code or "", "")))
                  for camera in self.cameras}
        try:
            await asyncio.to_thread(self.server.start, logins)
        except RtspServerError as exc:
            log.warning("the simulated cameras have no video: %s", exc)
            return 0
        self.running = True
        gate = asyncio.Semaphore(PROVISION_CONCURRENCY)

        async def provision(code: str, login: CameraLogin) -> bool:
            async with gate:
                try:
                    await api.patch(f"/api/devices/{code}", {
                        "stream_main": self.server.url(code, "main"), "stream_sub": self.server.url(code, "sub"),
                        "username": login.user, "password": login.password})
                except ApiError as exc:
                    self.stats["http"].fail(str(exc))
                    return False
                # Counted apart from the http channel: set-up PATCHes are not the live traffic whose latency it shows.
                self.stats.count("camera_provisioned")
                return True

        done = await asyncio.gather(*(provision(code, login) for code, login in logins.items()))
        return sum(done)

    async def drop(self, code: str, seconds: float) -> None:
        """The camera's stream goes away (network or power): clients cut, reconnects refused for ``seconds``."""
        await self._command(self.server.drop, code, seconds)

    async def fault(self, code: str, kind: str, seconds: float, clip: str | None = None) -> None:
        """A freeze (the session stays, no frames), a changed password, a covered lens or another picture
        (``clip``: a scene or a clip family), undone after ``seconds``."""
        if kind in ("cover", "play"):
            scene = "covered" if kind == "cover" else (clip or "")
            await self._command(self.server.play, code, f"scene-{scene}" if scene in SCENES else scene)
        elif kind == "freeze":
            await self._command(self.server.freeze, code)
        elif kind == "password":
            await self._command(self.server.set_password, code, secrets.token_urlsafe(12))
        else:
            raise ValueError(f"unknown camera fault {kind!r}")
        previous = self._restores.pop(code, None)
        if previous is not None:
            previous.cancel()
        self._restores[code] = asyncio.create_task(self._restore_later(code, seconds))

    async def _restore_later(self, code: str, seconds: float) -> None:
        await asyncio.sleep(seconds)
        self._restores.pop(code, None)
        await self._command(self.server.restore, code)

    async def _command(self, method: Any, *args: Any) -> None:
        if not self.running or args[0] not in self.server.logins:
            return
        try:
            await asyncio.to_thread(method, *args)
        except RtspServerError as exc:
            log.warning("camera fault not applied to %s: %s", args[0], exc)

    async def stop(self) -> None:
        """Stop the pending restores and the server."""
        for task in self._restores.values():
            task.cancel()
        self._restores.clear()
        self.running = False
        await asyncio.to_thread(self.server.stop)  # also when a start is still under way: it gives up
