"""What the roads' video-worker consumers read of an analysed frame, typed structurally so video never imports roads
and roads imports nothing of the video worker (plate reading, ADR 0040; the violations' pipeline, ADR 0043)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol

VEHICLE_LABELS = frozenset({"car", "truck", "bus", "motorcycle"})
TRACK_GONE = timedelta(seconds=3)  # a track unseen this long has left the picture


class SeenTrack(Protocol):
    """The part of the video tracker's `Track` the consumers read."""

    @property
    def track_id(self) -> int: ...
    @property
    def label(self) -> str: ...
    @property
    def box(self) -> tuple[float, float, float, float]: ...  # 0..1 of the frame


class SeenFrame(Protocol):
    """The part of the video pipeline's `AnalysedFrame` the consumers read."""

    @property
    def device_id(self) -> int: ...
    @property
    def code(self) -> str: ...
    @property
    def wall(self) -> datetime: ...
    @property
    def tracks(self) -> Sequence[SeenTrack]: ...


class DetectedFrame(SeenFrame, Protocol):
    """A frame that also says whether the detector ran on it (the plate consumer crops only detected frames)."""

    @property
    def detected(self) -> bool: ...
