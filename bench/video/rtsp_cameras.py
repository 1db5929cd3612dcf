"""Bench-only RTSP cameras on GStreamer's RTSP server (run with Debian's /usr/bin/python3, which imports gi).

Two kinds of mount:
  /cam<i>/main, /cam<i>/sub   an H.264 MP4 file streamed at its own pace, one pipeline per client (each client
                              starts at the file's beginning; the bench files are long enough for a run, so no loop)
  /clock<i>                   live gray frames carrying the wall-clock time of their encoding as black/white blocks,
                              encoded by x264enc tune=zerolatency, one pipeline shared by every client of the mount

Clock pattern (640×360 by default): 16 columns × 4 rows of 40×40 px blocks at the top; rows 0–1 hold the 32 bits
of (epoch milliseconds mod 2**32), least significant first, white = 1; rows 2–3 hold the same bits inverted, so a
reader can tell a clean read from a torn or blurred one.

Usage: /usr/bin/python3 bench/video/rtsp_cameras.py --port 8554 [--cameras N --main main.mp4 --sub sub.mp4]
                                                  [--clocks N] [--fps 25]
Prints "ready" on stdout once it listens; stops on SIGTERM.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time

import gi  # type: ignore[import-not-found]  # Debian python only (see the docstring)

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # type: ignore[import-not-found]  # noqa: E402

WIDTH, HEIGHT = 640, 360
BLOCK, COLUMNS = 40, 16


def pattern(ms: int, width: int = WIDTH, height: int = HEIGHT) -> bytes:
    """One GRAY8 frame carrying ``ms`` (mod 2**32) as blocks."""
    bits = [(ms >> i) & 1 for i in range(32)]
    rows = [bits[:16], bits[16:], [1 - b for b in bits[:16]], [1 - b for b in bits[16:]]]
    pad = bytes([128]) * (width - COLUMNS * BLOCK)
    out = []
    for row in rows:
        line = b"".join((b"\xff" if bit else b"\x00") * BLOCK for bit in row) + pad
        out.append(line * BLOCK)
    out.append(bytes([128]) * (width * (height - 4 * BLOCK)))
    return b"".join(out)


class ClockCamera:
    """Feeds one shared appsrc at ``fps`` with clock frames while the media is playing."""

    def __init__(self, fps: int) -> None:
        self.fps = fps
        self.appsrc: Gst.Element | None = None
        self.lock = threading.Lock()
        threading.Thread(target=self._feed, daemon=True).start()

    def configure(self, _factory: GstRtspServer.RTSPMediaFactory, media: GstRtspServer.RTSPMedia) -> None:
        with self.lock:
            self.appsrc = media.get_element().get_by_name("src")

    def _feed(self) -> None:
        period = 1.0 / self.fps
        tick = time.monotonic()
        while True:
            tick += period
            delay = tick - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            else:
                tick = time.monotonic()  # behind (machine busy): drop the missed ticks, never burst
            with self.lock:
                appsrc = self.appsrc
            if appsrc is None:
                continue
            # The stamp is taken right before the frame enters the encoder: camera → screen starts here.
            frame = pattern(int(time.time() * 1000) & 0xFFFFFFFF)
            if appsrc.emit("push-buffer", Gst.Buffer.new_wrapped(frame)) not in (Gst.FlowReturn.OK,):
                with self.lock:
                    if self.appsrc is appsrc:
                        self.appsrc = None


def file_factory(path: str) -> GstRtspServer.RTSPMediaFactory:
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(f"( filesrc location={path} ! qtdemux ! h264parse ! rtph264pay name=pay0 pt=96 "
                       "config-interval=-1 )")
    factory.set_shared(False)
    return factory


def clock_factory(fps: int) -> GstRtspServer.RTSPMediaFactory:
    factory = GstRtspServer.RTSPMediaFactory()
    caps = f"video/x-raw,format=GRAY8,width={WIDTH},height={HEIGHT},framerate={fps}/1"
    factory.set_launch(
        f"( appsrc name=src is-live=true do-timestamp=true format=time caps={caps} ! videoconvert ! "
        "video/x-raw,format=I420 ! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=25 "
        "sliced-threads=false threads=1 bitrate=1000 ! video/x-h264,profile=constrained-baseline ! "
        "rtph264pay name=pay0 pt=96 config-interval=-1 )")
    factory.set_shared(True)
    camera = ClockCamera(fps)
    factory.connect("media-configure", camera.configure)
    return factory


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--cameras", type=int, default=0)
    parser.add_argument("--main")
    parser.add_argument("--sub")
    parser.add_argument("--clocks", type=int, default=0)
    parser.add_argument("--fps", type=int, default=25)
    args = parser.parse_args()
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(args.port))
    mounts = server.get_mount_points()
    for i in range(args.cameras):
        mounts.add_factory(f"/cam{i}/main", file_factory(args.main))
        if args.sub:
            mounts.add_factory(f"/cam{i}/sub", file_factory(args.sub))
    for i in range(args.clocks):
        mounts.add_factory(f"/clock{i}", clock_factory(args.fps))
    if server.attach(None) == 0:
        sys.exit(f"cannot listen on {args.port}")
    loop = GLib.MainLoop()
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, loop.quit)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, loop.quit)
    print("ready", flush=True)
    loop.run()


if __name__ == "__main__":
    main()
