"""Test input for the live view: short H.264/H.265 files made from the shared clip, read back as packets."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import av

from qorgau.video.contracts import EncodedPacket, PacketSink, StreamInfo
from qorgau.video.enums import StreamKind

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


def read_packets(path: Path) -> tuple[StreamInfo, list[EncodedPacket]]:
    """The file's stream format and packets, as a camera stream would deliver them (template not kept open)."""
    container: Any = av.open(str(path))
    with container:
        stream = container.streams.video[0]
        tb = stream.time_base
        info = StreamInfo(codec=stream.codec_context.name, width=stream.codec_context.width,
                          height=stream.codec_context.height, time_base=tb,
                          extradata=stream.codec_context.extradata, fps=float(stream.average_rate or 0) or None,
                          template=None)
        packets = [EncodedPacket(data=bytes(p), pts=p.pts, dts=p.dts, duration=p.duration or 0,
                                 keyframe=p.is_keyframe, wall=T0 + timedelta(seconds=float(p.pts * tb)))
                   for p in container.demux(stream) if p.size]
    return info, packets


def decode_all(data: bytes, tmp: Path) -> list[Any]:
    """Every frame FFmpeg decodes from an MP4 byte string (written to a file, as a browser would buffer it)."""
    path = tmp / f"decoded-{len(data)}.mp4"
    path.write_bytes(data)
    container: Any = av.open(str(path))
    with container:
        return list(container.decode(video=0))


class ManualHub:
    """A StreamHub whose one stream is fed by the test, packet by packet (the worker's hub reads a camera)."""

    def __init__(self, info: StreamInfo) -> None:
        self.info_ = info
        self.sinks: dict[tuple[int, StreamKind], list[PacketSink]] = {}
        self.attaches = 0
        self.detaches = 0

    def attach(self, device_id: int, kind: StreamKind, sink: PacketSink) -> None:
        self.attaches += 1
        self.sinks.setdefault((device_id, kind), []).append(sink)
        sink.start(self.info_)

    def detach(self, device_id: int, kind: StreamKind, sink: PacketSink) -> None:
        self.detaches += 1
        self.sinks[(device_id, kind)].remove(sink)
        if not self.sinks[(device_id, kind)]:
            del self.sinks[(device_id, kind)]

    def info(self, device_id: int, kind: StreamKind) -> StreamInfo | None:
        return self.info_ if (device_id, kind) in self.sinks else None

    def feed(self, packets: list[EncodedPacket]) -> None:
        for packet in packets:
            for sinks in list(self.sinks.values()):
                for sink in list(sinks):
                    sink.packet(packet)
