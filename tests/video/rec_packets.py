"""Test input for the recording tests: an H.264 file made from the shared clip, demuxed into EncodedPackets."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import av
import numpy as np

from qorgau.video.contracts import EncodedPacket, StreamInfo

CLIP = Path(__file__).resolve().parents[3] / "shared" / "data" / "video" / "road-640x360.avi"
T0 = datetime(2026, 12, 7, 4, 0, 0, tzinfo=UTC)


def make_clip(path: Path, *, seconds: float = 3.0, gop: int = 10, codec: str = "libx264",
              container: str | None = None) -> Path:
    """A clip from the shared MPEG-4 road video: no B-frames, a key frame every ``gop`` frames."""
    args = ["/usr/bin/ffmpeg", "-v", "error", "-y", "-i", str(CLIP), "-t", str(seconds), "-an", "-c:v", codec,
            "-preset", "ultrafast", "-g", str(gop), "-bf", "0", "-pix_fmt", "yuv420p"]
    if codec == "libx265":
        args += ["-x265-params", f"keyint={gop}:min-keyint={gop}:bframes=0:log-level=error", "-tag:v", "hvc1"]
    if container:
        args += ["-f", container]
    subprocess.run([*args, str(path)], check=True, timeout=60)
    return path


def make_h264(path: Path, *, seconds: float = 12.0, gop: int = 15) -> Path:
    """An H.264 MP4 (no B-frames, a key frame every ``gop`` frames) from the shared MPEG-4 clip."""
    return make_clip(path, seconds=seconds, gop=gop)


@dataclass
class Source:
    """An open file's video stream as a camera stream: its StreamInfo and its packets with wall times."""

    info: StreamInfo
    packets: list[EncodedPacket]


@contextmanager
def source(path: Path, *, wall0: datetime = T0) -> Iterator[Source]:
    """The file's packets (the template stays valid while the context is open)."""
    container: Any = av.open(str(path))
    try:
        stream = container.streams.video[0]
        tb = stream.time_base
        info = StreamInfo(codec=stream.codec_context.name, width=stream.codec_context.width,
                          height=stream.codec_context.height, time_base=tb,
                          extradata=stream.codec_context.extradata, fps=float(stream.average_rate or 0) or None,
                          template=stream)
        packets = [
            EncodedPacket(data=bytes(p), pts=p.pts, dts=p.dts, duration=p.duration or 0, keyframe=p.is_keyframe,
                          wall=wall0 + timedelta(seconds=float(p.pts * tb)))
            for p in container.demux(stream) if p.size
        ]
        yield Source(info=info, packets=packets)
    finally:
        container.close()


def gray_frames(path: Path) -> list[tuple[float, np.ndarray[Any, Any]]]:
    """Every decoded frame of a file as (seconds from its start, gray image)."""
    with av.open(str(path), format="mp4") as container:
        stream = container.streams.video[0]
        tb = stream.time_base or 1
        return [(float((f.pts or 0) * tb), f.to_ndarray(format="gray").astype(np.int16))
                for f in container.decode(stream)]


def add_camera(db: Any, code: str = "CAM-0001", *, east_m: float = 0.0, north_m: float = 0.0,
               **extra: Any) -> int:
    """A commissioned camera in the registry near Aksai's centre; its id."""
    from qorgau.devices import geo
    from qorgau.devices import service as device_service
    from qorgau.devices.schemas import DeviceCreate
    from tests.conftest import CLI_ACTOR, SHARED
    from tests.devices.conftest import CTX, camera

    if geo.district_boundary() is None:
        geo.configure_boundary(geo.boundary_from_file(SHARED / "data" / "aksai" / "burlinsky-district.geojson"))
    with db.unit_of_work() as session:
        device = device_service.create(session, device_in=DeviceCreate.model_validate(
            camera(code, east_m, north_m, **extra)), actor=CLI_ACTOR, ctx=CTX)
        return int(device.id)


def record(clip: Path, root: Path, *, device_id: int, code: str, wall0: datetime = T0, volume: str = "v1",
           segment_s: float = 4.0) -> list[Any]:
    """Record the whole clip as a camera would, on one volume; the closed segments (not indexed)."""
    from qorgau.video.recorder import ClosedSegment, Recorder

    closed: list[ClosedSegment] = []
    recorder = Recorder(device_id=device_id, code=code, segment_s=segment_s, pick_volume=lambda: (volume, root),
                        on_segment=closed.append)
    with source(clip, wall0=wall0) as src:
        recorder.start(src.info)
        for packet in src.packets:
            recorder.packet(packet)
        recorder.stop("eof")
    return closed
