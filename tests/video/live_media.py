"""Test input for the live view: short H.264/H.265 files made from the shared clip, read back as packets."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import av

from qorgau.video.contracts import EncodedPacket, PacketSink, StreamInfo
from qorgau.video.enums import StreamKind
from tests.video.rec_packets import T0, source
from tests.video.rec_packets import make_clip as make_clip  # the live tests' clips

__all__ = ["ManualHub", "decode_all", "make_clip", "read_packets"]


def read_packets(path: Path) -> tuple[StreamInfo, list[EncodedPacket]]:
    """The file's stream format and packets, as a camera stream would deliver them (template not kept open)."""
    with source(path, wall0=T0) as src:
        return replace(src.info, template=None), src.packets


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
