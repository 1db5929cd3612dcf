"""One camera stream: a PyAV reader thread that passes the camera's compressed frames to the attached sinks.

The source never decodes. It repairs timestamps (missing, backwards or jumping: the packets it hands on have
strictly increasing dts, starting at 0 for each ``StreamInfo``), stamps each packet with a wall time derived from a
monotonic anchor, reconnects with backoff and keeps the stream's figures.

PyAV cannot interrupt a blocking read from another thread (its interrupt callback only checks the timeout it set
itself), so every blocking call is bounded: opening by ``video_connect_timeout_s``, each read by
``video_no_video_after_s``; the reader checks its stop flag between calls, and ``stop`` waits that long at most.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any
from urllib.parse import urlsplit

import av
import av.error

from qorgau.video.config import VideoSettings
from qorgau.video.contracts import CameraConfig, EncodedPacket, PacketSink, StreamInfo
from qorgau.video.enums import CameraState, StreamKind
from qorgau.video.timeline import Figures, Timeline, credentialed_url, is_network, parameter_sets

log = logging.getLogger(__name__)

PASSTHROUGH_CODECS = frozenset({"h264", "hevc"})
FIGURES_WINDOW_S = 5.0  # fps and bitrate are averaged over this many seconds
STABLE_AFTER_S = 10.0  # streaming this long resets the reconnect backoff

StateListener = Callable[["Source", CameraState, CameraState, str | None], None]


class AuthRefused(Exception):
    """The camera answered 401 or 403."""


class Source:
    """Pulls one stream of one camera in its own thread while started; sinks may come and go at any time."""

    def __init__(self, camera: CameraConfig, kind: StreamKind, settings: VideoSettings, *,
                 on_state: StateListener | None = None, pace_files: bool = True) -> None:
        self.camera = camera
        self.kind = kind
        self.settings = settings
        self.on_state = on_state
        self.pace_files = pace_files  # a file plays at its own speed, like a camera, not as fast as it reads
        self._sinks: list[PacketSink] = []
        self._started: set[int] = set()  # ids of the sinks that got `start` for the current StreamInfo
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._changed = threading.Event()  # the camera's URL or credentials changed: reopen now
        self._thread: threading.Thread | None = None
        self._info: StreamInfo | None = None
        self._figures = Figures(camera.device_id, kind, CameraState.IDLE, datetime.now(UTC))
        # Per-packet figures are plain attributes (a dataclass ``replace`` per frame costs more than the demux).
        self._last_frame_at: datetime | None = None
        self._dropped = 0
        self._window: deque[tuple[float, int]] = deque()

    # -- control ---------------------------------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"video-{self.camera.code}-{self.kind}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = None) -> bool:
        """Ask the reader to end and wait for it; True when it has ended."""
        self._stop.set()
        thread = self._thread
        if thread is None:
            return True
        if timeout is None:
            timeout = self.settings.video_connect_timeout_s + self.settings.video_no_video_after_s + 1
        thread.join(timeout)
        return not thread.is_alive()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def update(self, camera: CameraConfig) -> None:
        """New registry data; a changed URL or credentials reopens the stream (and ends an auth wait)."""
        old, self.camera = self.camera, camera
        if (old.url(self.kind), old.username, old.password) != (camera.url(self.kind), camera.username,
                                                                camera.password):
            self._changed.set()

    def carry_counts(self, previous: Source) -> None:
        """Go on counting from a closed stream of the same camera (reconnects and drops since the worker began)."""
        old = previous.figures()
        self._figures = replace(self._figures, reconnects=old.reconnects, codec=old.codec, width=old.width,
                                height=old.height)
        self._dropped, self._last_frame_at = old.dropped_packets, old.last_frame_at

    def add_sink(self, sink: PacketSink) -> None:
        with self._lock:
            if any(s is sink for s in self._sinks):
                return
            self._sinks.append(sink)

    def remove_sink(self, sink: PacketSink) -> bool:
        """Detach ``sink`` (it gets no ``stop``: it asked to go); returns whether it was attached."""
        with self._lock:
            before = len(self._sinks)
            self._sinks = [s for s in self._sinks if s is not sink]
            self._started.discard(id(sink))
            return len(self._sinks) != before

    def sinks(self) -> list[PacketSink]:
        with self._lock:
            return list(self._sinks)

    def info(self) -> StreamInfo | None:
        return self._info

    def figures(self) -> Figures:
        now = time.monotonic()
        with self._lock:
            window = [(t, n) for t, n in self._window if now - t <= FIGURES_WINDOW_S]
            sinks = len(self._sinks)
            recording = any(getattr(sink, "records", False) for sink in self._sinks)
        figures = replace(self._figures, sinks=sinks, recording=recording, dropped_packets=self._dropped,
                          last_frame_at=self._last_frame_at)
        if figures.state is not CameraState.STREAMING or len(window) < 2:
            return replace(figures, fps_in=None if figures.state is not CameraState.STREAMING else 0.0,
                           bitrate_kbps=None if figures.state is not CameraState.STREAMING else 0.0)
        span = max(now - window[0][0], 1e-3)
        return replace(figures, fps_in=round((len(window) - 1) / span, 2),
                       bitrate_kbps=round(sum(n for _, n in window[1:]) * 8 / 1000 / span, 1))

    # -- state -----------------------------------------------------------------------------------------------
    def _set_state(self, state: CameraState, error: str | None = None) -> None:
        previous = self._figures.state
        if previous is state and self._figures.error == error:
            return
        now = datetime.now(UTC)
        since = now if previous is not state else self._figures.state_since
        failing = self._figures.failing_since
        if state in (CameraState.STREAMING, CameraState.IDLE):
            failing = None
        elif state is not CameraState.CONNECTING and failing is None:
            failing = now
        self._figures = replace(self._figures, state=state, state_since=since, error=error, failing_since=failing)
        if previous is not state:
            log.debug("camera %s %s stream %s%s", self.camera.code, self.kind.value, state.value,
                      f" ({error})" if error else "")
            if self.on_state is not None:
                try:
                    self.on_state(self, previous, state, error)
                except Exception:
                    log.exception("state listener failed", extra={"camera": self.camera.code})

    # -- the reader thread -----------------------------------------------------------------------------------
    def _run(self) -> None:
        attempt = 0
        auth_wait_until = 0.0
        try:
            while not self._stop.is_set():
                if time.monotonic() < auth_wait_until and not self._changed.is_set():
                    self._wait(auth_wait_until - time.monotonic())
                    continue
                self._changed.clear()
                url = self.camera.url(self.kind)
                if not url:
                    self._set_state(CameraState.UNREACHABLE, "no stream URL")
                    self._wait(self.settings.video_backoff_max_s)
                    continue
                self._set_state(CameraState.CONNECTING, self._figures.error)
                opened_at = time.monotonic()
                try:
                    self._stream_once(url)
                except AuthRefused as exc:
                    self._end_sinks("auth failed")
                    self._set_state(CameraState.AUTH_FAILED, str(exc))
                    auth_wait_until = time.monotonic() + self.settings.video_auth_retry_s
                    continue
                except _Unsupported as exc:
                    self._end_sinks("unsupported codec")
                    self._set_state(CameraState.UNSUPPORTED, str(exc))
                    self._wait(self.settings.video_backoff_max_s)
                    continue
                except _FormatChanged:
                    self._end_sinks("format changed")
                    self._changed.set()  # reopen at once
                    continue
                except _NoVideo as exc:
                    self._end_sinks("no video")
                    self._set_state(CameraState.NO_VIDEO, str(exc))
                except Exception as exc:  # any failure of one stream is that stream's state, never the worker's
                    self._end_sinks("stream failed")
                    self._set_state(CameraState.UNREACHABLE, _describe(exc))
                else:
                    self._end_sinks("stopped" if self._stop.is_set() else "stream ended")
                if self._stop.is_set():
                    break
                self._figures = replace(self._figures, reconnects=self._figures.reconnects + 1)
                attempt = 0 if time.monotonic() - opened_at > STABLE_AFTER_S else attempt + 1
                base = min(self.settings.video_backoff_max_s, 2.0 ** max(0, attempt - 1))
                self._wait(random.uniform(base / 2, base) if attempt else 0.1)  # noqa: S311 - jitter, not crypto
        finally:
            self._end_sinks("stopped")
            self._info = None
            self._set_state(CameraState.IDLE)

    def _wait(self, seconds: float) -> None:
        deadline = time.monotonic() + max(0.0, seconds)
        while not self._stop.is_set() and not self._changed.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            self._stop.wait(min(left, 0.5))

    def _open(self, url: str) -> Any:
        settings = self.settings
        options: dict[str, str] = {}
        timeout: tuple[float, float] | None = (settings.video_connect_timeout_s, settings.video_no_video_after_s)
        if urlsplit(url).scheme in {"rtsp", "rtsps"}:
            options["rtsp_transport"] = settings.video_rtsp_transport
            # FFmpeg's own socket timeout (µs) bounds every connect and read, so PyAV's Python-level timeout is
            # left out: its interrupt callback takes the GIL at each of FFmpeg's I/O polls, about half a recording
            # worker's CPU with dozens of cameras (bench/results/video_record.md).
            wait_s = min(settings.video_connect_timeout_s, settings.video_no_video_after_s)
            options["timeout"] = str(int(wait_s * 1_000_000))
            timeout = None
        full = credentialed_url(url, self.camera.username, self.camera.password)
        try:
            return av.open(full, options=options, timeout=timeout)
        except (av.error.HTTPUnauthorizedError, av.error.HTTPForbiddenError) as exc:
            raise AuthRefused(f"refused the credentials ({type(exc).__name__.removeprefix('HTTP')})") from None
        except av.error.FFmpegError as exc:
            if " 401" in str(exc) or " 403" in str(exc):
                raise AuthRefused("refused the credentials") from None
            raise

    def _stream_once(self, url: str) -> None:
        container = self._open(url)
        try:
            video = next((s for s in container.streams if s.type == "video"), None)
            if video is None:
                raise _Unsupported("no video stream")
            codec = video.codec_context.name
            if codec not in PASSTHROUGH_CODECS:
                raise _Unsupported(f"codec {codec}")
            paced = self.pace_files and not is_network(url)
            self._pump(_packets(container, video, loop=paced), video, paced=paced, live=paced or is_network(url))
        finally:
            container.close()

    def _make_info(self, video: Any) -> StreamInfo:
        ctx = video.codec_context
        rate = video.average_rate or video.guessed_rate
        return StreamInfo(codec=ctx.name, width=int(ctx.width), height=int(ctx.height),
                          time_base=Fraction(video.time_base), extradata=ctx.extradata,
                          fps=float(rate) if rate else None, template=video)

    def _pump(self, packets: Iterator[Any], video: Any, *, paced: bool, live: bool) -> None:
        info: StreamInfo | None = None
        tb = Fraction(video.time_base)
        seconds_per_tick = float(tb)
        rate = video.average_rate or video.guessed_rate or 25
        timeline = Timeline(tb, default_duration=max(1, round(1 / (Fraction(rate) * tb))))
        anchor_wall = clock_wall = datetime.now(UTC)
        anchor_mono = time.monotonic()
        last_packet_mono = time.monotonic()
        parameters: bytes | None = None
        for packet in packets:
            if self._stop.is_set() or self._changed.is_set():
                return
            now_mono = time.monotonic()
            if info is None and not packet.is_keyframe:
                if now_mono - last_packet_mono > self.settings.video_no_video_after_s:
                    raise _NoVideo("no key frame")
                continue
            data = bytes(packet)
            if packet.is_keyframe:
                found = parameter_sets(data, video.codec_context.name)
                if found and parameters is not None and found != parameters:
                    raise _FormatChanged("new parameter sets")  # reopened: the demuxer reads the new format
                parameters = found or parameters
            if info is None:
                info = self._make_info(video)
                self._info = info
                anchor_wall, anchor_mono = datetime.now(UTC), now_mono
                clock_wall = anchor_wall  # fixed: "now" on this connection, immune to clock jumps
                self._figures = replace(self._figures, codec=info.codec, width=info.width, height=info.height)
            dts, pts, duration, dropped = timeline.place(packet.dts, packet.pts, packet.duration,
                                                         elapsed_s=now_mono - anchor_mono)
            while paced and not self._stop.is_set():
                ahead = dts * seconds_per_tick - (time.monotonic() - anchor_mono)
                if ahead <= 0:
                    break
                self._stop.wait(min(ahead, 0.5))
            if self._stop.is_set():
                return  # a paced frame cut short by the stop is not due yet
            if live:
                # A burst at the start (the server's buffered GOP) anchors late and runs ahead of the clock: a
                # frame cannot be decoded before it arrived, so the anchor moves back (walls stay increasing).
                arrived = clock_wall + timedelta(seconds=time.monotonic() - anchor_mono)
                ahead_by = anchor_wall + timedelta(seconds=dts * seconds_per_tick) - arrived
                if ahead_by > timedelta(0):
                    anchor_wall -= ahead_by
            wall = anchor_wall + timedelta(seconds=pts * seconds_per_tick)
            encoded = EncodedPacket(data=data, pts=pts, dts=dts, duration=duration,
                                    keyframe=bool(packet.is_keyframe), wall=wall)
            self._account(now_mono, len(data), wall, dropped + int(packet.is_corrupt))
            last_packet_mono = now_mono
            self._deliver(info, encoded)
        raise ConnectionError("the stream ended")

    def _account(self, now: float, size: int, wall: datetime, dropped: int) -> None:
        with self._lock:
            self._window.append((now, size))
            while self._window and now - self._window[0][0] > FIGURES_WINDOW_S:
                self._window.popleft()
        self._last_frame_at = wall
        self._dropped += dropped
        if self._figures.state is not CameraState.STREAMING:
            self._set_state(CameraState.STREAMING)

    def _deliver(self, info: StreamInfo, packet: EncodedPacket) -> None:
        for sink in self.sinks():
            try:
                if id(sink) not in self._started:
                    if not packet.keyframe:
                        continue  # a sink attached mid-GOP waits for the next key frame
                    sink.start(info)
                    self._started.add(id(sink))
                sink.packet(packet)
            except Exception:
                log.exception("a stream sink failed and was detached",
                              extra={"camera": self.camera.code, "stream": self.kind.value,
                                     "sink": type(sink).__name__})
                self.remove_sink(sink)

    def _end_sinks(self, reason: str) -> None:
        self._info = None
        for sink in self.sinks():
            if id(sink) not in self._started:
                continue
            self._started.discard(id(sink))
            try:
                sink.stop(reason)
            except Exception:
                log.exception("a stream sink failed to stop", extra={"camera": self.camera.code})


def _packets(container: Any, video: Any, *, loop: bool) -> Iterator[Any]:
    """The stream's packets; a paced file starts over at its end, like a camera that keeps filming."""
    while True:
        try:
            for packet in container.demux(video):
                if packet.size:  # size 0: the demuxer's flush packet at the end
                    yield packet
        except (av.error.ExitError, av.error.TimeoutError):
            raise _NoVideo("no frame within the read timeout") from None
        if not loop:
            return
        container.seek(0, stream=video)


class _FormatChanged(Exception):
    pass


class _NoVideo(Exception):
    pass


class _Unsupported(Exception):
    pass


def _describe(exc: BaseException) -> str:
    """A short reason without credentials (FFmpeg errors may quote the URL)."""
    text = str(exc)
    if isinstance(exc, av.error.ExitError):
        return "timed out"
    if isinstance(exc, av.error.FFmpegError):
        text = exc.strerror or type(exc).__name__
    if "://" in text or "@" in text:
        text = type(exc).__name__
    return text[:300]
