"""Decoding a camera's sub-stream at the analysis rate, and handing the frames to the worker's analysis thread.

The ``DecodeSink`` runs in the stream's reader thread, beside the recorder and the live relay, so it must stay
cheap and never raise: it decodes every frame the codec needs as a reference (one thread; the reader threads of
the other cameras are the parallelism), lets FFmpeg skip the frames nothing depends on when the rate allows (only
key frames when the analysis wants at most one frame per group of pictures), and scales to BGR only the frames it
keeps. Kept frames go to ``FrameSlots``: a few per camera, the oldest dropped and counted when the analysis is
behind, so a slow analysis never stalls a reader. A decode error is counted and decoding restarts at the next key
frame; the recorder on the same stream is never affected.
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import av
import numpy as np
import numpy.typing as npt

from qorgau.core.time import utcnow
from qorgau.video.contracts import EncodedPacket, StreamInfo

log = logging.getLogger(__name__)

KEYS_ONLY_SLACK = 1.05  # key frames this close to the analysis interval are frequent enough on their own
NONREF_FROM = 3.0  # skip non-reference frames when the stream has at least this many frames per analysed one


@dataclass(frozen=True, slots=True)
class DecodedFrame:
    """A kept frame of one camera, scaled for analysis."""

    device_id: int
    code: str
    wall: datetime
    bgr: npt.NDArray[np.uint8]  # H×W×3


class FrameSlots:
    """The bounded hand-off from the reader threads to the analysis thread: a few frames per camera, taken round
    robin so a busy camera cannot starve the others. Thread-safe."""

    def __init__(self, per_camera: int) -> None:
        self.per_camera = max(1, per_camera)
        self._queues: dict[int, collections.deque[DecodedFrame]] = {}
        self._order: collections.deque[int] = collections.deque()  # cameras with frames waiting, in turn
        self._ready = threading.Condition()
        self.dropped: dict[int, int] = collections.defaultdict(int)
        self.put_count = 0

    def put(self, frame: DecodedFrame) -> bool:
        """Queue a frame; returns False when the camera's oldest waiting frame had to make room (dropped)."""
        with self._ready:
            queue = self._queues.setdefault(frame.device_id, collections.deque())
            kept = True
            if len(queue) >= self.per_camera:
                queue.popleft()
                self.dropped[frame.device_id] += 1
                kept = False
            if not queue:
                self._order.append(frame.device_id)
            queue.append(frame)
            self.put_count += 1
            self._ready.notify()
            return kept

    def take(self, timeout: float) -> DecodedFrame | None:
        """The oldest frame of the next camera in turn, waiting up to ``timeout`` seconds for one."""
        with self._ready:
            if not self._order and not self._ready.wait_for(lambda: bool(self._order), timeout):
                return None
            device_id = self._order.popleft()
            queue = self._queues[device_id]
            frame = queue.popleft()
            if queue:
                self._order.append(device_id)  # its next frame waits for the other cameras' turn
            return frame

    def forget(self, device_id: int) -> None:
        """Drop a camera's waiting frames (it is no longer analysed)."""
        with self._ready:
            self._queues.pop(device_id, None)
            if device_id in self._order:
                self._order.remove(device_id)

    def waiting(self) -> int:
        with self._ready:
            return sum(len(queue) for queue in self._queues.values())


def scaled_size(width: int, height: int, target: int) -> tuple[int, int]:
    """The analysis size: ``target`` wide (never wider than the stream), height in proportion and even."""
    if width <= target:
        return width, height
    return target, max(2, round(height * target / width / 2) * 2)


class DecodeSink:
    """Implements ``contracts.PacketSink``: decodes a stream at ``fps`` frames per second into ``slots``."""

    def __init__(self, device_id: int, code: str, *, fps: float, width: int, slots: FrameSlots) -> None:
        self.device_id = device_id
        self.code = code
        self.fps = fps
        self.width = width
        self.slots = slots
        self.decoded = 0  # frames out of the decoder
        self.kept = 0  # frames scaled and queued
        self.errors = 0  # packets that failed to decode (decoding restarted at the next key frame)
        self.decode_s = 0.0  # time spent in this sink, for the figures
        self.shed = 0  # times the analysis was behind and only key frames were decoded until the next one
        self.closed = False
        self._decoder: Any = None
        self._info: StreamInfo | None = None
        self._need_key = True
        self._shedding = False
        self._next_due: float | None = None
        self._last_key: float | None = None
        self._key_interval: float | None = None
        self._anchor: tuple[int, datetime] | None = None  # a packet's pts and wall: frame times from pts

    # -- PacketSink -----------------------------------------------------------------------------------------
    def start(self, info: StreamInfo) -> None:
        if self.closed:
            return
        self._info = info
        self._shedding = False
        self._key_interval = self._last_key = None
        self._next_due = None
        self._open()

    def packet(self, packet: EncodedPacket) -> None:
        started = time.perf_counter()
        try:
            self._packet(packet)
        except Exception:  # never let analytics touch the recorder on the same stream
            self.errors += 1
            self._need_key = True
            if self.errors <= 3 or self.errors % 1000 == 0:
                log.warning("camera %s: analytics decode failed (%d so far)", self.code, self.errors,
                            exc_info=True)
            self._open()
        finally:
            self.decode_s += time.perf_counter() - started

    def stop(self, reason: str) -> None:
        self._decoder = None
        self._need_key = True

    def close(self) -> None:
        """The camera is no longer analysed: packets still in flight from its reader are ignored."""
        self.closed = True
        self._info = None
        self._decoder = None

    # -- decoding -------------------------------------------------------------------------------------------
    def _open(self) -> None:
        info = self._info
        self._need_key = True
        self._decoder = None
        if info is None:
            return
        decoder: Any = av.CodecContext.create(info.codec, "r")
        if info.extradata:
            decoder.extradata = info.extradata
        decoder.thread_count = 1  # one thread per camera: 30 cameras on a core gain nothing from more
        if info.fps and info.fps >= NONREF_FROM * self.fps:
            decoder.skip_frame = "NONREF"
        self._decoder = decoder

    def _packet(self, packet: EncodedPacket) -> None:
        decoder, info = self._decoder, self._info
        if decoder is None or info is None:
            return
        seconds = float(packet.pts * info.time_base)
        if packet.keyframe:
            if self._last_key is not None and seconds > self._last_key:
                self._key_interval = seconds - self._last_key
            self._last_key = seconds
            self._need_key = False
        elif self._need_key or self._shedding:
            return
        # Only key frames when they come at least as often as the rate asks for frames: P-frames are not decoded.
        only_keys = (self._key_interval is not None and self.fps > 0
                     and self._key_interval <= KEYS_ONLY_SLACK / self.fps)
        if only_keys and not packet.keyframe:
            return
        self._anchor = (packet.pts, packet.wall)
        raw = av.Packet(packet.data)
        raw.pts, raw.dts = packet.pts, packet.dts
        try:
            frames = decoder.decode(raw)
        except av.FFmpegError:
            self.errors += 1
            self._open()  # stale references would smear every frame until the next key frame anyway
            return
        for frame in frames:
            self.decoded += 1
            self._frame(frame, info)

    def _frame(self, frame: Any, info: StreamInfo) -> None:
        pts = frame.pts if frame.pts is not None else (self._anchor[0] if self._anchor else 0)
        seconds = float(pts * info.time_base)
        if not self._due(seconds):
            return
        width, height = scaled_size(frame.width, frame.height, self.width)
        bgr = frame.to_ndarray(format="bgr24", width=width, height=height)
        wall = self._anchor[1] if self._anchor else utcnow()
        if self._anchor is not None and pts != self._anchor[0]:
            wall += timedelta(seconds=float((pts - self._anchor[0]) * info.time_base))
        self.kept += 1
        # The analysis is behind: decode only key frames until it catches up, so that an overloaded core spends
        # less on decoding frames that would be dropped and more on analysing the ones it has.
        self._shedding = not self.slots.put(DecodedFrame(self.device_id, self.code, wall, bgr))
        self.shed += self._shedding

    def _due(self, seconds: float) -> bool:
        """Whether a frame at ``seconds`` (stream time) is kept for the analysis rate."""
        if self.fps <= 0:
            return False
        step = 1.0 / self.fps
        due = self._next_due
        if due is not None and seconds < due - step * 0.1:
            if due - seconds > 10 * step:  # time went backwards (a new stream): start over
                self._next_due = seconds + step
                return True
            return False
        self._next_due = due + step if due is not None and seconds - due < step else seconds + step
        return True
