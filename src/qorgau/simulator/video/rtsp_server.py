"""The simulated cameras' RTSP server: loops H.264/H.265 clips for every camera code, with faults on command.

Runs under Debian's /usr/bin/python3 (GStreamer through gi), never imports qorgau. Started as a child process:

    /usr/bin/python3 rtsp_server.py --clips DIR [--cameras cameras.json] [--host 127.0.0.1] [--port 0]

``cameras.json`` maps each camera code to ``{"user": ..., "password": ..., "codec": "h264"|"h265", "clip": ...}``.
The server serves ``rtsp://127.0.0.1:PORT/CODE/main`` and ``/CODE/sub`` (Basic authentication with that camera's
credentials), prints ``READY port=PORT`` and then reads commands from stdin, one per line, answering each with
``ok ...`` or ``error ...`` on stdout:

    add CODE USER PASSWORD [h264|h265] [CLIP]   a new camera (CLIP: its own clip family; else chosen by code)
    drop CODE SECONDS                    disconnect its clients now and refuse it (404) for SECONDS
    password CODE NEWPASS                clients with the old password get 401
    freeze CODE                          sessions stay open but no frame is sent
    play CODE CLIP                       serve another clip family (e.g. scene-covered); its clients reconnect
    restore CODE                         undo drop, password, freeze and play for that camera
    clients CODE                         how many clients currently play it (for tests)

It exits on stdin EOF (its parent ended, however) and, with ``--die-with-parent``, on the parent's death signal
(PR_SET_PDEATHSIG), so it never outlives whoever started it.
"""

from __future__ import annotations

import argparse
import base64
import ctypes
import itertools
import json
import os
import signal
import sys
import threading
import zlib
from pathlib import Path

import gi  # type: ignore[import-not-found]  # Debian's python3-gi; the venv has none

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # type: ignore[import-not-found]  # noqa: E402

# Clip families in the clips folder: <name>-main.mp4 (1280x720), <name>-sub.mp4 (640x360); one H.265 main.
H265_SUFFIX = "-main-h265.mp4"
CLIENT_THREADS = 8


def clip_names(clips: Path) -> list[str]:
    """The clip families present, sorted so a code maps to the same clip on every machine; the scenario clips
    (``scene-*``) are played on command only, and the roads' (``roads-*``) only by the cameras whose own they are."""
    return sorted(p.name[: -len("-main.mp4")] for p in clips.glob("*-main.mp4")
                  if not p.name.startswith(("scene-", "roads-")))


def clip_for(code: str, names: list[str]) -> str:
    """A camera's clip family, chosen by a stable hash of its code."""
    return names[zlib.crc32(code.encode()) % len(names)]


class Camera:
    """One camera's credentials, faults and live media."""

    def __init__(self, code: str, user: str, password: str, codec: str, base: str | None = None) -> None:
        self.code, self.user, self.password, self.codec, self.base = code, user, password, codec, base
        self.original_password = password
        self.frozen = False
        self.clip: str | None = None  # a clip family played on command instead of its own
        self.dropped_until = 0.0
        self.loops: list[Looper] = []
        self.clients: set[GstRtspServer.RTSPClient] = set()


class Looper:
    """Loops one media's file forever with increasing timestamps, and freezes it on demand.

    At end of stream the EOS is dropped after the parser, a flushing seek to 0 is made on the demuxer from the
    main loop, its flush events are hidden from the payloader, and the parser's src pad is offset by the running
    time reached, so RTP timestamps keep increasing. What does not work: a non-flushing seek (qtdemux never
    restarts), a plain flushing seek (RTP timestamps go backwards), segment seeks at prepare (occasional crashes).
    """

    def __init__(self, camera: Camera, demux: Gst.Element, parse: Gst.Element) -> None:
        self.camera, self.demux = camera, demux
        self.element: Gst.Element | None = None
        self.pad = parse.get_static_pad("src")
        self.offset = 0  # ns added to the running time by the pad offset
        self.seeking = False
        self.block_id: int | None = None
        self.frozen_at: int | None = None
        self.pad.add_probe(Gst.PadProbeType.EVENT_DOWNSTREAM | Gst.PadProbeType.EVENT_FLUSH, self._event)
        if camera.frozen:
            # Let the first frame through: the media must preroll before the client's request is answered, and
            # a request waiting on it would hold up the other clients sharing its thread.
            self.pad.add_probe(Gst.PadProbeType.BUFFER, self._first_frame)

    def _first_frame(self, _pad: Gst.Pad, _info: Gst.PadProbeInfo) -> Gst.PadProbeReturn:
        GLib.idle_add(self._freeze_if_frozen)
        return Gst.PadProbeReturn.REMOVE

    def _freeze_if_frozen(self) -> bool:
        if self.camera.frozen:
            self.freeze()
        return False

    def _event(self, _pad: Gst.Pad, info: Gst.PadProbeInfo) -> Gst.PadProbeReturn:
        event = info.get_event()
        if event is None:
            return Gst.PadProbeReturn.OK
        kind = event.type
        if kind == Gst.EventType.EOS:
            self.seeking = True
            GLib.idle_add(self._rewind)
            return Gst.PadProbeReturn.DROP
        if self.seeking and kind in (Gst.EventType.FLUSH_START, Gst.EventType.FLUSH_STOP):
            return Gst.PadProbeReturn.DROP
        if self.seeking and kind == Gst.EventType.SEGMENT:
            self.seeking = False
        return Gst.PadProbeReturn.OK

    def _rewind(self) -> bool:
        # The clip's duration (end of its last frame): no per-frame Python probe, which hundreds of streams
        # would pay for under one GIL.
        known, duration = self.demux.query_duration(Gst.Format.TIME)
        self.offset += duration if known and duration > 0 else Gst.SECOND
        self.pad.set_offset(self.offset)
        self.demux.seek_simple(Gst.Format.TIME, Gst.SeekFlags.FLUSH | Gst.SeekFlags.KEY_UNIT, 0)
        return False

    def freeze(self) -> None:
        """Hold the stream: the session stays, no frame goes out."""
        if self.block_id is None:
            self.block_id = self.pad.add_probe(Gst.PadProbeType.BLOCK_DOWNSTREAM | Gst.PadProbeType.BUFFER,
                                               lambda *_: Gst.PadProbeReturn.OK)
            self.frozen_at = now_ns()

    def thaw(self) -> None:
        """Resume from where it stopped, shifted by the time frozen so the frames are not sent in a burst."""
        if self.block_id is not None:
            if self.frozen_at is not None:
                self.offset += now_ns() - self.frozen_at
                self.pad.set_offset(self.offset)
            self.pad.remove_probe(self.block_id)
            self.block_id, self.frozen_at = None, None


def now_ns() -> int:
    """Monotonic time in nanoseconds (the pipeline clock is the monotonic system clock)."""
    return int(Gst.util_get_timestamp())


class CameraFactory(GstRtspServer.RTSPMediaFactory):  # type: ignore[misc]
    """Builds one unshared pipeline per client from the camera's clip: passthrough, no encoding."""

    def __init__(self, camera: Camera, path: Path, h265: bool) -> None:
        super().__init__()
        self.camera, self.path, self.h265 = camera, path, h265
        self.set_shared(False)  # a shared media would rewind every viewer on each new client's PLAY

    def do_create_element(self, _url: object) -> Gst.Element:
        codec = "h265" if self.h265 else "h264"
        location = str(self.path).replace('"', '\\"')
        element = Gst.parse_launch(
            f'( filesrc location="{location}" ! qtdemux name=demux ! {codec}parse name=parse '
            f"! rtp{codec}pay name=pay0 pt=96 config-interval=-1 )")
        looper = Looper(self.camera, element.get_by_name("demux"), element.get_by_name("parse"))
        looper.element = element
        self.camera.loops.append(looper)
        return element

    def do_configure(self, media: GstRtspServer.RTSPMedia) -> None:
        GstRtspServer.RTSPMediaFactory.do_configure(self, media)
        media.connect("unprepared", self._unprepared)

    def _unprepared(self, media: GstRtspServer.RTSPMedia) -> None:
        element = media.get_element()
        self.camera.loops = [looper for looper in self.camera.loops if looper.element is not element]


class Server:
    """The RTSP server, its mounts and credentials, and the command channel."""

    def __init__(self, clips: Path, port: int, host: str = "127.0.0.1") -> None:
        self.clips = clips
        self.names = clip_names(clips)
        if not self.names:
            raise SystemExit(f"no clips in {clips}")
        self.h265_clip = next(iter(sorted(clips.glob("*" + H265_SUFFIX))), None)
        self.cameras: dict[str, Camera] = {}
        self.server = GstRtspServer.RTSPServer()
        self.server.set_address(host)
        self.server.set_service(str(port))
        # Clients spread over a few threads: one waiting on its media does not stall every other camera.
        self.server.get_thread_pool().set_max_threads(CLIENT_THREADS)
        self.auth = GstRtspServer.RTSPAuth()
        self.server.set_auth(self.auth)
        self.roles: dict[tuple[str, str], str] = {}
        self.serial = itertools.count()  # (user, password) -> role; cameras may share credentials
        self.server.connect("client-connected", self._client_connected)

    def role(self, user: str, password: str) -> str:
        """The role that a (user, password) pair authenticates as; created on first use."""
        key = (user, password)
        if key not in self.roles:
            role = f"cred{next(self.serial)}"
            self.roles[key] = role
            token = GstRtspServer.RTSPToken()
            token.set_string("media.factory.role", role)
            self.auth.add_basic(base64.b64encode(f"{user}:{password}".encode()).decode(), token)
        return self.roles[key]

    def factory_for(self, camera: Camera, stream: str) -> CameraFactory:
        """A new factory for one stream, admitting only the camera's current credentials."""
        own = camera.base is not None and (self.clips / f"{camera.base}-{stream}.mp4").is_file()
        family = camera.clip or (camera.base if own else clip_for(camera.code, self.names))
        path, h265 = self.clips / f"{family}-{stream}.mp4", False
        if stream == "main" and camera.codec == "h265" and self.h265_clip is not None and not camera.clip:
            path, h265 = self.h265_clip, True
        factory = CameraFactory(camera, path, h265)
        self.permit(factory, camera)
        return factory

    def permit(self, factory: CameraFactory, camera: Camera) -> None:
        """Only the camera's current password opens its streams."""
        role = self.role(camera.user, camera.password)
        permissions = GstRtspServer.RTSPPermissions()
        permissions.add_permission_for_role(role, "media.factory.access", True)
        permissions.add_permission_for_role(role, "media.factory.construct", True)
        factory.set_permissions(permissions)

    def mount(self, camera: Camera) -> None:
        """Make both streams of a camera addressable."""
        mounts = self.server.get_mount_points()
        for stream in ("main", "sub"):
            mounts.add_factory(f"/{camera.code}/{stream}", self.factory_for(camera, stream))

    def unmount(self, camera: Camera) -> None:
        """Unaddressable: new clients get 404."""
        mounts = self.server.get_mount_points()
        for stream in ("main", "sub"):
            mounts.remove_factory(f"/{camera.code}/{stream}")

    def add(self, code: str, user: str, password: str, codec: str = "h264", base: str | None = None) -> None:
        """A camera, addressable from now on."""
        camera = Camera(code, user, password, codec, base)
        self.cameras[code] = camera
        self.mount(camera)

    def _client_connected(self, _server: object, client: GstRtspServer.RTSPClient) -> None:
        client.connect("describe-request", self._request)
        client.connect("setup-request", self._request)
        client.connect("closed", self._closed)

    def _request(self, client: GstRtspServer.RTSPClient, ctx: GstRtspServer.RTSPContext) -> None:
        parts = (ctx.uri.abspath or "").strip("/").split("/")
        camera = self.cameras.get(parts[0]) if parts else None
        if camera is not None:
            camera.clients.add(client)

    def _closed(self, client: GstRtspServer.RTSPClient) -> None:
        for camera in self.cameras.values():
            camera.clients.discard(client)

    def disconnect(self, camera: Camera) -> None:
        """Close every client of the camera now."""
        for client in list(camera.clients):
            client.close()
        camera.clients.clear()
        camera.loops.clear()

    def command(self, line: str) -> str:
        """Apply one control command; the answer line."""
        words = line.split()
        if not words:
            return "error empty"
        op, args = words[0], words[1:]
        if op == "add" and len(args) in (3, 4, 5):
            self.add(*args[:3], *(args[3:4] or ["h264"]), *args[4:5])
            return f"ok add {args[0]}"
        camera = self.cameras.get(args[0]) if args else None
        if camera is None:
            return f"error unknown camera {args[0] if args else ''}".rstrip()
        if op == "drop" and len(args) == 2:
            seconds = float(args[1])
            self.disconnect(camera)
            if camera.dropped_until == 0:
                self.unmount(camera)
            camera.dropped_until = now_ns() + seconds * 1e9
            GLib.timeout_add(int(seconds * 1000), self._undrop, camera)
        elif op == "password" and len(args) == 2:
            old, camera.password = (camera.user, camera.password), args[1]
            self.remount(camera, old)
        elif op == "freeze" and len(args) == 1:
            camera.frozen = True
            for looper in camera.loops:
                looper.freeze()
        elif op == "play" and len(args) == 2:
            if not (self.clips / f"{args[1]}-sub.mp4").is_file() or "/" in args[1]:
                return f"error unknown clip {args[1]}"
            camera.clip = args[1]
            self.remount(camera, (camera.user, camera.password))
        elif op == "restore" and len(args) == 1:
            self.restore(camera)
        elif op == "clients" and len(args) == 1:
            return f"ok clients {camera.code} {len(camera.clients)}"
        else:
            return f"error bad command {op}"
        return f"ok {op} {camera.code}"

    def _undrop(self, camera: Camera) -> bool:
        if camera.dropped_until and now_ns() >= camera.dropped_until - 1e6:
            camera.dropped_until = 0
            self.mount(camera)
        return False

    def remount(self, camera: Camera, old: tuple[str, str]) -> None:
        """New factories with the camera's current credentials; open sessions with the old ones are closed."""
        if not camera.dropped_until:
            self.unmount(camera)
            self.mount(camera)
        self.disconnect(camera)
        if not any((other.user, other.password) == old for other in self.cameras.values()):
            # Unknown credentials get 401; known ones without access to this camera would get 404.
            self.auth.remove_basic(base64.b64encode(f"{old[0]}:{old[1]}".encode()).decode())
            del self.roles[old]

    def restore(self, camera: Camera) -> None:
        """Back to normal: mounted, original password, frames flowing."""
        camera.frozen = False
        for looper in camera.loops:
            looper.thaw()
        if camera.dropped_until:
            camera.dropped_until = 0
            self.mount(camera)
        if camera.password != camera.original_password or camera.clip:
            old, camera.password, camera.clip = (camera.user, camera.password), camera.original_password, None
            self.remount(camera, old)


def die_with_parent() -> None:
    """Ask the kernel for SIGTERM when the parent process dies (Linux)."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass  # not Linux: stdin EOF still stops the server


def main() -> None:
    """Start the server, print the ready line, serve commands until stdin closes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=Path, required=True)
    parser.add_argument("--cameras", type=Path, help="JSON: {code: {user, password, codec}}")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--die-with-parent", action="store_true",
                        help="also exit on the parent's death (PR_SET_PDEATHSIG; stdin EOF covers the rest)")
    args = parser.parse_args()
    if args.die_with_parent:
        parent = os.getppid()
        die_with_parent()
        if os.getppid() != parent:
            return  # the parent died before prctl took effect
    Gst.init(None)
    server = Server(args.clips, args.port, args.host)
    if args.cameras:
        for code, spec in json.loads(args.cameras.read_text()).items():
            server.add(code, spec["user"], spec["password"], spec.get("codec", "h264"), spec.get("clip"))
    loop = GLib.MainLoop()
    if server.server.attach(None) == 0:
        raise SystemExit("could not listen")
    signal.signal(signal.SIGTERM, lambda *_: GLib.idle_add(loop.quit))

    def answer(line: str) -> bool:
        try:
            reply = server.command(line)
        except Exception as error:  # a bad command must not stop the cameras
            reply = f"error {type(error).__name__}"
        print(reply, flush=True)
        return False

    def read_commands() -> None:
        for line in sys.stdin:
            GLib.idle_add(answer, line.strip())
        GLib.idle_add(loop.quit)  # stdin EOF: whoever started us is gone or done

    threading.Thread(target=read_commands, daemon=True).start()
    print(f"READY port={server.server.get_bound_port()}", flush=True)
    loop.run()


if __name__ == "__main__":
    main()
