"""Decode → black out privacy masks → H.264 (libx264 ultrafast, zero latency): for H.265 cameras and masked
cameras, live (``Transcoder``, packet by packet) and for files (``transcode_file``, segments and exports)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Any

import av
import numpy as np
import numpy.typing as npt

from qorgau.video.contracts import EncodedPacket, StreamInfo

Masks = tuple[tuple[tuple[float, float], ...], ...]  # polygons of (x, y) in 0..1 frame coordinates
X264_OPTIONS = {"preset": "ultrafast", "tune": "zerolatency"}
FILE_MOVFLAGS = "frag_keyframe+empty_moov+default_base_moof"  # appendable to MSE, like the recorded segments
Y_BLACK, C_NEUTRAL = 16, 128  # limited-range black


def freeze_masks(masks: Any) -> Masks:
    """Polygons from JSON (lists) as a hashable tuple, dropping any with fewer than three points."""
    return tuple(tuple((float(x), float(y)) for x, y in polygon) for polygon in masks or () if len(polygon) >= 3)


@lru_cache(maxsize=64)
def mask_array(width: int, height: int, masks: Masks) -> npt.NDArray[np.bool_]:
    """Pixels (at their centres) inside any polygon, by the even-odd rule."""
    inside = np.zeros((height, width), dtype=bool)
    ys = (np.arange(height, dtype=np.float64) + 0.5)[:, None]
    xs = (np.arange(width, dtype=np.float64) + 0.5)[None, :]
    for polygon in masks:
        points = [(x * width, y * height) for x, y in polygon]
        hit = np.zeros((height, width), dtype=bool)
        for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True):
            if y1 == y2:
                continue
            crosses = (y1 > ys) != (y2 > ys)  # rows this edge spans
            x_at = x1 + (ys - y1) * (x2 - x1) / (y2 - y1)
            hit ^= crosses & (xs < x_at)
        inside |= hit
    return inside


def black_out(frame: av.VideoFrame, masks: Masks) -> av.VideoFrame:
    """The frame as yuv420p with every masked pixel black (returns the frame itself when there are no masks)."""
    if not masks:
        return frame
    width, height = frame.width - frame.width % 2, frame.height - frame.height % 2
    image = frame.reformat(width=width, height=height, format="yuv420p").to_ndarray()
    mask = mask_array(width, height, masks)
    image[:height][mask] = Y_BLACK
    half = mask_array(width // 2, height // 2, masks)
    quarter = height // 4 if height % 4 == 0 else None
    if quarter is not None:  # U then V, each (h/2, w/2), stored in h/4 rows of w
        for start in (height, height + quarter):
            image[start:start + quarter].reshape(height // 2, width // 2)[half] = C_NEUTRAL
    else:
        chroma = image[height:].reshape(-1)
        size = (height // 2) * (width // 2)
        for start in (0, size):
            chroma[start:start + size].reshape(height // 2, width // 2)[half] = C_NEUTRAL
    out = av.VideoFrame.from_ndarray(image, format="yuv420p")
    out.pts = frame.pts
    if frame.time_base is not None:
        out.time_base = frame.time_base
    return out


def _encoder(width: int, height: int, time_base: Fraction, fps: float | None) -> Any:
    encoder: Any = av.CodecContext.create("libx264", "w")
    encoder.width, encoder.height, encoder.pix_fmt = width, height, "yuv420p"
    encoder.time_base = time_base
    encoder.framerate = Fraction(fps).limit_denominator(1001) if fps else Fraction(25)
    encoder.gop_size = 250  # key frames follow the source's (forced below), this is only the upper bound
    encoder.options = dict(X264_OPTIONS)
    encoder.thread_count = 1  # sliced threads would garble frames for some decoders; one core per stream is fine
    return encoder


def _decoder(info: StreamInfo) -> Any:
    decoder: Any = av.CodecContext.create(info.codec, "r")
    if info.extradata:
        decoder.extradata = info.extradata
    decoder.thread_type = "SLICE"  # frame threading would hold frames back: latency
    return decoder


@dataclass
class TranscodeStats:
    frames: int = 0
    cpu_s: float = 0.0


class Transcoder:
    """One live stream's re-encode: ``packets(packet)`` returns the H.264 packets that packet produced.

    Key frames stay where the source has them, so viewers can still start at the source's key frames; the output
    is Annex B with the parameter sets in-band at each key frame, which the live muxer reads.
    """

    def __init__(self, info: StreamInfo, *, masks: Masks) -> None:
        self.source = info
        self.masks = masks
        self.info = replace(info, codec="h264", extradata=None, template=None,
                            width=info.width - info.width % 2, height=info.height - info.height % 2)
        self._decoder = _decoder(info)
        self._encoder: Any = None
        self._walls: dict[int, tuple[datetime, int]] = {}

    def packets(self, packet: EncodedPacket) -> list[EncodedPacket]:
        self._walls[packet.pts] = (packet.wall, packet.duration)
        out: list[EncodedPacket] = []
        try:
            frames = self._decoder.decode(av.Packet(packet.data))
        except av.FFmpegError:
            return out  # a damaged frame: skipped, the next key frame repairs the picture
        for frame in frames:
            out.extend(self._encode(frame, packet))
        return out

    def _encode(self, frame: av.VideoFrame, packet: EncodedPacket) -> list[EncodedPacket]:
        pts = frame.pts if frame.pts is not None else packet.pts
        wall, duration = self._walls.pop(pts, (packet.wall, packet.duration))
        if len(self._walls) > 64:  # frames the decoder dropped: forget them
            self._walls.clear()
        if self._encoder is None:
            self._encoder = _encoder(self.info.width, self.info.height, self.info.time_base, self.info.fps)
        image = black_out(frame, self.masks).reformat(width=self.info.width, height=self.info.height,
                                                      format="yuv420p")
        image.pts, image.time_base = pts, self.info.time_base
        image.pict_type = av.video.frame.PictureType.I if frame.key_frame else av.video.frame.PictureType.NONE
        return [EncodedPacket(data=bytes(p), pts=p.pts, dts=p.dts if p.dts is not None else p.pts,
                              duration=duration, keyframe=p.is_keyframe, wall=wall)
                for p in self._encoder.encode(image)]


def transcode_file(src: Path, dst: Path, *, masks: Masks) -> TranscodeStats:
    """``src`` (any video file, e.g. a recorded H.265 or masked segment) → H.264 fragmented MP4 at ``dst``, masks
    burned in, timestamps kept."""
    import time

    stats = TranscodeStats()
    began = time.process_time()
    source: Any = av.open(str(src))
    with source:
        stream = source.streams.video[0]
        stream.thread_type = "AUTO"
        target: Any = av.open(str(dst), "w", format="mp4", options={"movflags": FILE_MOVFLAGS})
        with target:
            fps = stream.average_rate or Fraction(25)
            out = target.add_stream("libx264", rate=fps, options=dict(X264_OPTIONS))
            out.width = stream.codec_context.width - stream.codec_context.width % 2
            out.height = stream.codec_context.height - stream.codec_context.height % 2
            out.pix_fmt, out.time_base = "yuv420p", stream.time_base
            for frame in source.decode(stream):
                image = black_out(frame, masks).reformat(width=out.width, height=out.height, format="yuv420p")
                image.pts, image.time_base = frame.pts, stream.time_base
                image.pict_type = (av.video.frame.PictureType.I if frame.key_frame
                                   else av.video.frame.PictureType.NONE)
                target.mux(out.encode(image))
                stats.frames += 1
            target.mux(out.encode(None))
    stats.cpu_s = time.process_time() - began
    return stats
