"""Snapshots: the newest key frame of a stream decoded to a JPEG, privacy masks applied."""

from __future__ import annotations

import threading
from fractions import Fraction
from typing import Any

import av

from qorgau.video.contracts import EncodedPacket, StreamInfo
from qorgau.video.transcode import Masks, black_out

JPEG_QSCALE = 4  # MJPEG quantiser: 2 is near lossless, 31 coarse; 4 keeps plates readable at a third of 2's size


class SnapshotFailed(RuntimeError):
    """The key frame did not decode."""


def jpeg(info: StreamInfo, packet: EncodedPacket, *, masks: Masks) -> bytes:
    """Decode one key frame (with the stream's extradata) and encode it as a JPEG with the masks blacked out."""
    decoder: Any = av.CodecContext.create(info.codec, "r")
    if info.extradata:
        decoder.extradata = info.extradata
    try:
        frames = [*decoder.decode(av.Packet(packet.data)), *decoder.decode(None)]
    except av.FFmpegError as exc:
        raise SnapshotFailed(str(exc)) from exc
    if not frames:
        raise SnapshotFailed("no picture")
    frame = black_out(frames[0], masks)
    encoder: Any = av.CodecContext.create("mjpeg", "w")
    encoder.width, encoder.height = frame.width, frame.height
    encoder.pix_fmt = "yuvj420p"
    encoder.time_base = Fraction(1, 25)
    encoder.qmin = encoder.qmax = JPEG_QSCALE
    image = frame.reformat(format="yuvj420p")
    image.pts = 0
    data = b"".join(bytes(p) for p in [*encoder.encode(image), *encoder.encode(None)])
    if not data:
        raise SnapshotFailed("no JPEG")
    return data


class KeyframeCatcher:
    """A ``PacketSink`` that waits for the next key frame of a stream (attached only while a snapshot waits)."""

    def __init__(self) -> None:
        self.info: StreamInfo | None = None
        self.key: EncodedPacket | None = None
        self.caught = threading.Event()
        self.stopped: str | None = None

    def start(self, info: StreamInfo) -> None:
        self.info = info

    def packet(self, packet: EncodedPacket) -> None:
        if packet.keyframe and self.info is not None and not self.caught.is_set():
            self.key = packet
            self.caught.set()

    def stop(self, reason: str) -> None:
        self.stopped = reason
