"""A PacketSink that records one camera stream by remux into fragmented MP4 segment files (never re-encoded).

Each segment starts at a key frame with timestamps rebased to 0, is written as ``<name>.mp4.part`` and renamed
when closed, so a crash leaves a readable fragmented file that repair can finish. Segment times come from the
packets' wall clock (anchored per connection), never from the system clock, so a clock jump cannot reorder them.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

import av

from qorgau.video.contracts import EncodedPacket, StreamInfo
from qorgau.video.enums import StreamKind

log = logging.getLogger(__name__)

MOVFLAGS = "frag_keyframe+empty_moov+default_base_moof"
# Each fragment goes to the file as it is complete (one write per GOP), so a crash loses at most the open GOP.
MUX_OPTIONS = {"movflags": MOVFLAGS, "flush_packets": "1"}
FOREVER = datetime.max.replace(tzinfo=UTC)
NEVER = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class ClosedSegment:
    """A finished segment file, ready for the index."""

    device_id: int
    stream: StreamKind
    volume: str
    path: str  # relative to the volume's directory, with forward slashes
    start_at: datetime
    end_at: datetime
    bytes: int
    frames: int
    codec: str
    width: int
    height: int


# Where to write: (volume name, its directory), or None when no volume can take recordings now.
PickVolume = Callable[[], "tuple[str, Path] | None"]
# A volume failed a write: (volume name, the error); the recorder moves on to another volume.
ReportFailure = Callable[[str, OSError | av.FFmpegError], None]


def segment_path(code: str, start: datetime) -> str:
    """``<code>/YYYY/MM/DD/HH/<start epoch ms>.mp4`` for a segment starting at ``start`` (UTC)."""
    start = start.astimezone(UTC)
    ms = int(start.timestamp() * 1000)
    return f"{code}/{start:%Y/%m/%d/%H}/{ms}.mp4"


def trim_to_fragments(path: Path) -> int:
    """Cut a fragmented MP4 after its last complete fragment (moof + mdat), dropping a torn tail; the new size."""
    end = 0
    with path.open("r+b") as file:
        size = os.fstat(file.fileno()).st_size
        pos, after_moov = 0, 0
        pending_moof = False
        while pos + 8 <= size:
            file.seek(pos)
            header = file.read(16)
            length, kind = int.from_bytes(header[:4], "big"), header[4:8]
            if length == 1 and len(header) == 16:
                length = int.from_bytes(header[8:16], "big")
            if length < 8 or pos + length > size:
                break
            pos += length
            if kind == b"moov":
                after_moov = end = pos
            elif kind == b"moof":
                pending_moof = True
            elif kind == b"mdat" and pending_moof and after_moov:
                end, pending_moof = pos, False
        if end < size:
            file.truncate(end)
    return end


@dataclass(frozen=True, slots=True)
class Probe:
    """What a segment file holds, read from its packets (no decode)."""

    frames: int
    duration_s: float
    codec: str
    width: int
    height: int


def probe(path: Path) -> Probe | None:
    """Count a segment file's frames and its length; None when it holds no readable video."""
    try:
        with av.open(str(path), format="mp4") as container:
            if not container.streams.video:
                return None
            stream = container.streams.video[0]
            tb = stream.time_base or Fraction(1, 90000)
            frames, end = 0, 0
            for packet in container.demux(stream):
                if packet.size and packet.pts is not None:
                    frames += 1
                    end = max(end, packet.pts + (packet.duration or 0))
            ctx = stream.codec_context
            return Probe(frames=frames, duration_s=float(end * tb), codec=ctx.name, width=ctx.width,
                         height=ctx.height) if frames else None
    except (OSError, av.FFmpegError):
        return None


class Recorder:
    """Records a camera's main stream; `until` says up to which wall time to write (events mode keeps a pre-roll)."""

    def __init__(self, *, device_id: int, code: str, segment_s: float, pick_volume: PickVolume,
                 on_segment: Callable[[ClosedSegment], None], report_failure: ReportFailure | None = None,
                 stream: StreamKind = StreamKind.MAIN, pre_roll_s: float = 0.0, until: datetime = FOREVER,
                 retry_s: float = 5.0) -> None:
        self.device_id = device_id
        self.code = code
        self.stream = stream
        self.segment_s = segment_s
        self.pre_roll = timedelta(seconds=pre_roll_s)
        # Written by the recording feature from another thread; a datetime swap is atomic under the GIL.
        self.until = until
        self._pick_volume = pick_volume
        self._on_segment = on_segment
        self._report_failure = report_failure
        self._retry = timedelta(seconds=retry_s)
        self._info: StreamInfo | None = None
        self._out: Any = None  # av.container.OutputContainer of the open segment
        self._ostream: Any = None
        self._volume = ""
        self._rel = ""
        self._file: Path | None = None
        self._base = 0
        self._cut_ticks = 0
        self._frames = 0
        self._start_wall = NEVER
        self._last_wall = NEVER
        self._last_duration = 0
        self._retry_at = NEVER
        self._torn = False
        self._buffer: deque[EncodedPacket] = deque()  # pre-roll, from a key frame on
        # The reader thread writes; the recording feature closes a detached recorder from its own thread.
        self._lock = threading.Lock()
        self.segments_closed = 0
        self.write_errors = 0

    @property
    def writing(self) -> bool:
        """Whether a segment file is open now."""
        return self._out is not None

    @property
    def records(self) -> bool:
        """What the stream's status says as `recording`: a segment is being written (not a pre-roll only)."""
        return self.writing

    # -- PacketSink ------------------------------------------------------------------------------------------------

    def start(self, info: StreamInfo) -> None:
        """A (re)opened stream: whatever was open belongs to the old format and is closed."""
        with self._lock:
            self._start(info)

    def _start(self, info: StreamInfo) -> None:
        self._close("restart")
        self._buffer.clear()
        self._info = info
        self._cut_ticks = int(self.segment_s / info.time_base) if info.time_base else 0

    def packet(self, packet: EncodedPacket) -> None:
        """Write the frame, cutting at the first key frame past the segment length; outside `until`, buffer it."""
        with self._lock:
            self._packet(packet)

    def _packet(self, packet: EncodedPacket) -> None:
        if self._out is not None:
            if packet.wall >= self.until:
                self._close("until")
            elif packet.keyframe and packet.pts - self._base >= self._cut_ticks:
                self._close("cut")
            else:
                self._write(packet)
                return
        if packet.wall < self.until and packet.wall >= self._retry_at:
            if self._buffer:
                # Pre-roll held from a key frame on: the segment starts there.
                self._buffer.append(packet)
                self._open_from_buffer()
            elif packet.keyframe:
                self._buffer.append(packet)
                self._open_from_buffer()
            return
        self._keep_pre_roll(packet)

    def stop(self, reason: str) -> None:
        """The stream ended (or the recorder was detached): close the segment so it is indexed."""
        with self._lock:
            self._close(reason)
            self._buffer.clear()
            self._info = None

    # -- segments --------------------------------------------------------------------------------------------------

    def _keep_pre_roll(self, packet: EncodedPacket) -> None:
        if not self.pre_roll:
            return
        buffer = self._buffer
        if packet.keyframe:
            # Drop whole GOPs that lie entirely before the pre-roll window, so the buffer starts at a key frame.
            horizon = packet.wall - self.pre_roll
            while buffer:
                nxt = next((i for i, p in enumerate(buffer) if i and p.keyframe), None)
                if nxt is None or buffer[nxt].wall > horizon:
                    break
                for _ in range(nxt):
                    buffer.popleft()
        elif not buffer:
            return  # the buffer must begin at a key frame
        buffer.append(packet)

    def _open_from_buffer(self) -> None:
        buffer = self._buffer
        if not buffer or not buffer[0].keyframe:
            buffer.clear()
            return
        if not self._open(buffer[0]):
            buffer.clear()
            return
        while buffer and self._out is not None:
            self._write(buffer.popleft())
        buffer.clear()

    def _open(self, first: EncodedPacket) -> bool:
        info = self._info
        if info is None:
            return False
        picked = self._pick_volume()
        if picked is None:
            self._retry_at = first.wall + self._retry
            return False
        volume, root = picked
        rel = segment_path(self.code, first.wall)
        target = root / rel
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            while target.exists() or target.with_name(target.name + ".part").exists():
                # Two segments in one millisecond (a reconnect): the next free name keeps both.
                first_ms = int(target.stem) + 1
                rel = f"{rel.rsplit('/', 1)[0]}/{first_ms}.mp4"
                target = root / rel
            part = target.with_name(target.name + ".part")
            out = av.open(str(part), "w", format="mp4", options=MUX_OPTIONS)
            try:
                if info.template is not None:
                    ostream = out.add_stream_from_template(info.template)
                else:
                    ostream = out.add_mux_stream(info.codec, width=info.width, height=info.height)
                ostream.time_base = info.time_base
            except BaseException:
                out.close()
                raise
        except (OSError, av.FFmpegError) as exc:
            self._fail(volume, exc, first.wall)
            return False
        self._out, self._ostream = out, ostream
        self._volume, self._rel, self._file = volume, rel, part
        self._base = first.dts
        self._frames = 0
        self._start_wall = first.wall
        return True

    def _write(self, packet: EncodedPacket) -> None:
        out = av.Packet(packet.data)
        out.pts = packet.pts - self._base
        out.dts = packet.dts - self._base
        out.duration = packet.duration
        out.time_base = self._ostream.time_base
        out.stream = self._ostream
        out.is_keyframe = packet.keyframe
        try:
            self._out.mux_one(out)
        except (OSError, av.FFmpegError) as exc:
            volume = self._volume
            self._torn = True
            self._close("write error")
            self._fail(volume, exc, packet.wall)
            return
        self._frames += 1
        self._last_wall = packet.wall
        self._last_duration = packet.duration

    def _fail(self, volume: str, exc: OSError | av.FFmpegError, wall: datetime) -> None:
        self.write_errors += 1
        self._retry_at = wall + self._retry
        log.warning("recording %s on volume %s failed: %s", self.code, volume, type(exc).__name__)
        if self._report_failure is not None:
            self._report_failure(volume, exc)

    def _close(self, reason: str) -> None:
        """Close the open segment: finish the file, rename it, hand it to the index (an empty one is removed)."""
        out, part, info = self._out, self._file, self._info
        if out is None or part is None:
            return
        self._out = self._ostream = self._file = None
        torn, self._torn = self._torn, False
        failed: OSError | av.FFmpegError | None = None
        try:
            out.close()
        except (OSError, av.FFmpegError) as exc:
            failed = exc  # what reached the disk stays readable: fragments are self-contained
        final = part.with_name(part.name.removesuffix(".part"))
        end_at: datetime | None = None
        try:
            if failed is not None or torn:
                # A failed write may have torn the last fragment: keep the complete ones and count what they hold.
                trim_to_fragments(part)
                found = probe(part)
                self._frames = found.frames if found else 0
                end_at = self._start_wall + timedelta(seconds=found.duration_s) if found else None
            if self._frames == 0:
                part.unlink(missing_ok=True)
                return
            os.replace(part, final)
            size = final.stat().st_size
        except OSError as exc:
            self._fail(self._volume, exc, self._last_wall)
            return
        if failed is not None:
            self._fail(self._volume, failed, self._last_wall)
        if info is None:  # stop() clears it only after closing, so a segment always has its format
            return
        duration = timedelta(seconds=float(self._last_duration * info.time_base))
        self.segments_closed += 1
        self._on_segment(ClosedSegment(
            device_id=self.device_id, stream=self.stream, volume=self._volume, path=self._rel,
            start_at=self._start_wall, end_at=end_at or self._last_wall + duration, bytes=size, frames=self._frames,
            codec=info.codec, width=info.width, height=info.height,
        ))
        log.debug("segment %s closed (%s)", self._rel, reason)
