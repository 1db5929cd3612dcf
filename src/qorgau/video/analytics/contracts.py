"""What the parts of video analytics agree on: a detection, a tracked object, an analysed frame, and the detector.

Boxes are in frame coordinates 0..1 (x1, y1, x2, y2), so rules drawn on a camera's picture stay valid whatever
resolution its sub-stream has. The detector sees pixels; the pipeline converts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

Box = tuple[float, float, float, float]  # x1, y1, x2, y2 in 0..1 of the frame
PixelBox = tuple[int, int, int, int]  # x1, y1, x2, y2 in pixels of the frame given to the detector

# The classes Qorgau reports; a model's own class map is translated to these (others are dropped).
CLASSES: tuple[str, ...] = ("person", "bicycle", "car", "motorcycle", "bus", "truck")
VEHICLES: frozenset[str] = frozenset({"bicycle", "car", "motorcycle", "bus", "truck"})


@dataclass(frozen=True, slots=True)
class Detection:
    """One object the detector found in one frame."""

    label: str  # one of CLASSES
    score: float  # 0..1
    box: Box


@dataclass(frozen=True, slots=True)
class Track:
    """An object followed across frames: the tracker's id is stable while the object stays in view."""

    track_id: int
    label: str
    score: float
    box: Box
    first_seen: datetime
    last_seen: datetime
    # Where it was first seen: a track is confirmed only on its second sighting, by when a fast object may have
    # passed a line already; the line rule takes the side it came from from here.
    origin: Box | None = None


@dataclass(frozen=True, slots=True)
class AnalysedFrame:
    """What the pipeline knows about one decoded frame of one camera, handed to the rules and the picture checks."""

    device_id: int
    code: str
    wall: datetime  # UTC capture time of the frame
    width: int
    height: int
    motion: float  # share of the downscaled frame that moved, 0..1
    tracks: Sequence[Track]  # objects in view now (empty when the detector did not run: no motion)
    detected: bool  # whether the detector ran on this frame


class Detector(Protocol):
    """An object detector on CPU (NanoDet or a YOLO export through onnxruntime)."""

    @property
    def name(self) -> str:
        """The model's name and checksum prefix, for logs and results."""

    def detect(self, frame_bgr: npt.NDArray[np.uint8], regions: Sequence[PixelBox] | None = None,
               camera: str | None = None) -> list[Detection]:
        """Objects in a BGR frame (H×W×3 uint8); with ``regions``, only those parts (where there was motion)
        are looked at, and the boxes returned are still relative to the whole frame. ``camera`` is the code of the
        camera the frame came from (a detector may keep thresholds of its own for it)."""
