"""Pure parts of a camera stream: its figures, URLs with credentials kept in memory only, timestamp repair, SPS
changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from urllib.parse import quote, urlsplit, urlunsplit

from qorgau.video.enums import CameraState, StreamKind

JUMP_LIMIT_S = 10.0  # a dts step larger than this is a lie, not a pause: the timeline is stitched over it


@dataclass(frozen=True, slots=True)
class Figures:
    """A stream's state and figures at one moment (for the status rows, the API and /metrics)."""

    device_id: int
    kind: StreamKind
    state: CameraState
    state_since: datetime
    codec: str | None = None
    width: int | None = None
    height: int | None = None
    fps_in: float | None = None
    bitrate_kbps: float | None = None
    reconnects: int = 0
    dropped_packets: int = 0
    last_frame_at: datetime | None = None
    sinks: int = 0
    recording: bool = False  # a sink that says ``records = True`` (the recorder) is attached
    error: str | None = None
    failing_since: datetime | None = None  # first failure since the stream last streamed (reconnects included)


def credentialed_url(url: str, username: str | None, password: str | None) -> str:
    """The URL with the credentials inserted (URL-quoted); only ever held in memory, never logged."""
    parts = urlsplit(url)
    if not username or not parts.scheme or parts.scheme == "file" or "@" in parts.netloc:
        return url
    auth = quote(username, safe="") + (":" + quote(password, safe="") if password else "")
    return urlunsplit(parts._replace(netloc=f"{auth}@{parts.netloc}"))


def redacted(url: str) -> str:
    """The URL without any credentials, for logs and error messages."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def is_network(url: str) -> bool:
    return urlsplit(url).scheme in {"rtsp", "rtsps", "rtmp", "http", "https", "udp", "tcp", "srt"}


class Timeline:
    """Repairs a stream's timestamps: dts strictly increasing from 0, pts never before dts.

    A missing dts follows the last one; one that goes backwards or jumps more than ``JUMP_LIMIT_S`` is a lie and
    the timeline is stitched to where the frame really is (the time elapsed since the stream opened, at least one
    frame after the last); a gap of several frames counts the frames lost.
    """

    def __init__(self, time_base: Fraction, *, default_duration: int) -> None:
        self.time_base = time_base
        self.default_duration = default_duration
        self.offset: int | None = None
        self.last: int | None = None
        self.jump_limit = int(JUMP_LIMIT_S / time_base)

    def place(self, raw_dts: int | None, raw_pts: int | None, raw_duration: int | None, *,
              elapsed_s: float) -> tuple[int, int, int, int]:
        """(dts, pts, duration, frames lost) of the next packet."""
        duration = raw_duration or self.default_duration
        raw = raw_dts if raw_dts is not None else raw_pts
        lost = 0
        last = self.last
        if raw is None:
            dts = 0 if last is None else last + duration
        else:
            if self.offset is None:
                self.offset = -raw
            dts = raw + self.offset
            if last is not None and (dts <= last or dts - last > self.jump_limit):
                dts = max(last + duration, int(elapsed_s / self.time_base))
                self.offset = dts - raw
            elif last is not None and dts - last > 2 * duration:
                lost = round((dts - last) / duration) - 1
        pts = raw_pts + self.offset if raw_pts is not None and self.offset is not None and raw is not None else dts
        self.last = dts
        return dts, max(pts, dts), duration, lost


def parameter_sets(data: bytes, codec: str) -> bytes | None:
    """The SPS NAL units in an Annex B key frame (H.264 type 7, H.265 type 33), to notice a format change."""
    if not data.startswith((b"\x00\x00\x01", b"\x00\x00\x00\x01")):
        return None  # length-prefixed (from a file): its parameter sets live in the extradata
    found = []
    for unit in data.replace(b"\x00\x00\x00\x01", b"\x00\x00\x01").split(b"\x00\x00\x01"):
        if not unit:
            continue
        kind = (unit[0] >> 1) & 0x3F if codec == "hevc" else unit[0] & 0x1F
        if kind == (33 if codec == "hevc" else 7) and unit not in found:  # FFmpeg may repeat the SDP's copy
            found.append(unit)
    return b"".join(found) or None
