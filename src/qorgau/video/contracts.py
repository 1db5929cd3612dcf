"""What the parts of a video worker agree on: encoded packets, the sinks that take them, and the worker context
that recording, the live relay and later analytics run in.

A worker pulls each camera stream once (``StreamHub``) and fans its packets out to every attached sink; a stream
is pulled only while a sink is attached. Sinks run in the stream's reader thread and must not block on anything
but their own I/O, so one slow or broken consumer never stalls another camera.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Protocol

from qorgau.video.enums import RecordingMode, StreamKind

if TYPE_CHECKING:
    from qorgau.core.db import Database
    from qorgau.video.config import VideoSettings
    from qorgau.video.status import PictureVerdicts

Polygon = list[list[float]]  # [[x, y], ...] in frame coordinates 0..1


@dataclass(frozen=True, slots=True)
class StreamInfo:
    """The format of a stream as opened; a new ``StreamInfo`` (reconnect, new resolution or codec) starts anew."""

    codec: str  # FFmpeg codec name: "h264", "hevc"
    width: int
    height: int
    time_base: Fraction  # of EncodedPacket.pts / dts
    extradata: bytes | None  # codec configuration (avcC/hvcC or Annex B SPS/PPS), as the demuxer gave it
    fps: float | None  # nominal, when the stream says
    # The demuxer's stream object (an ``av.video.stream.VideoStream``): only for ``add_stream_from_template`` in
    # the same thread that receives the packets, and only while the stream is open.
    template: Any = field(repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class EncodedPacket:
    """One compressed video frame exactly as the camera sent it (no re-encode)."""

    data: bytes
    pts: int  # in StreamInfo.time_base, strictly increasing within one StreamInfo (the source repairs lies)
    dts: int
    duration: int  # in StreamInfo.time_base; an estimate when the stream does not say
    keyframe: bool
    wall: datetime  # UTC capture time: the connection's wall anchor plus elapsed pts (immune to clock jumps)


class PacketSink(Protocol):
    """A consumer of one stream: a recorder, the live muxer, a snapshot taker, an analytics detector."""

    def start(self, info: StreamInfo) -> None:
        """The stream (re)opened with this format; the next packet is a key frame."""

    def packet(self, packet: EncodedPacket) -> None:
        """One frame, in decode order."""

    def stop(self, reason: str) -> None:
        """The stream ended or failed (``reason`` has no credentials); ``start`` follows if it comes back."""


@dataclass(frozen=True)
class CameraConfig:
    """Everything a worker needs about one camera, read from the registry and the video tables."""

    device_id: int
    code: str
    main_url: str | None
    sub_url: str | None
    username: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)
    recording_mode: RecordingMode = RecordingMode.OFF
    volume: str | None = None
    group: str = "public_space"
    retention_days: int = 30
    privacy_masks: tuple[tuple[tuple[float, float], ...], ...] = ()
    lon: float | None = None
    lat: float | None = None
    simulated: bool = False

    def url(self, kind: StreamKind) -> str | None:
        """The stream's URL; the sub-stream falls back to the main one when a camera has a single stream."""
        return (self.main_url if kind is StreamKind.MAIN else self.sub_url or self.main_url) or None


class StreamHub(Protocol):
    """The worker's streams: attaching the first sink opens a stream, detaching the last closes it (after
    ``video_idle_stop_s``)."""

    def attach(self, device_id: int, kind: StreamKind, sink: PacketSink) -> None: ...

    def detach(self, device_id: int, kind: StreamKind, sink: PacketSink) -> None: ...

    def info(self, device_id: int, kind: StreamKind) -> StreamInfo | None:
        """The format of the open stream, if any."""


class WorkerContext(Protocol):
    """What a feature running inside a video worker process gets."""

    index: int  # this worker's number, 0..count-1
    count: int
    db: Database
    streams: StreamHub
    pictures: PictureVerdicts  # cameras whose picture checks say degraded (their sightings must say so too)

    @property
    def settings(self) -> VideoSettings:
        """The program's settings as the video domain sees them."""

    def cameras(self) -> Sequence[CameraConfig]:
        """This worker's cameras as last read (refreshed when the registry or video settings change)."""


class Feature(Protocol):
    """A long-running part of a video worker (recording, the live relay, detectors); stops when cancelled."""

    async def run(self, worker: WorkerContext) -> None: ...


def worker_for(device_id: int, count: int) -> int:
    """The worker that owns a camera: stable for a given worker count, so every process can find it."""
    return device_id % max(1, count)
