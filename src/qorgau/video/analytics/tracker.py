"""Multi-object tracking: ids that stay with an object across frames, per class, from the detections alone.

Our own small tracker rather than a library (ADR 0027): supervision's ByteTrack pulls in ``opencv-python``, which
clashes with the ``opencv-python-headless`` the worker uses, and matplotlib; norfair has had no release since
2023. What 5 frames per second of a fixed camera needs is little: a constant-velocity prediction, an assignment
of detections to predicted boxes by IoU with the Hungarian method (``scipy.optimize.linear_sum_assignment``), a
centre-distance fallback for objects that move more than their own size between frames (a car at 5 fps), and
ByteTrack's second pass that lets a weak detection keep an existing track alive.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import numpy.typing as npt
from scipy.optimize import linear_sum_assignment

from qorgau.video.analytics.contracts import Box, Detection, Track

IOU_MIN = 0.1  # below this, a pair is matched by centre distance instead
# Centre distance, in sizes of the track's box, still taken as the same object: before a velocity is known, a car
# at 5 fps moves about its own length between frames.
DISTANCE_MAX = 1.5
NO_MATCH = 1e6
VELOCITY_BLEND = 0.5  # share of the newest step in the velocity estimate


@dataclass(slots=True)
class _Live:
    track_id: int
    label: str
    box: Box
    score: float
    first_seen: datetime
    last_seen: datetime
    hits: int = 1
    velocity: tuple[float, float] = field(default=(0.0, 0.0))  # box centre, frame units per second

    def predicted(self, at: datetime) -> Box:
        dt = (at - self.last_seen).total_seconds()
        dx, dy = self.velocity[0] * dt, self.velocity[1] * dt
        x1, y1, x2, y2 = self.box
        return (x1 + dx, y1 + dy, x2 + dx, y2 + dy)

    def take(self, detection: Detection, at: datetime) -> None:
        dt = (at - self.last_seen).total_seconds()
        if dt > 0:
            (ox, oy), (nx, ny) = centre(self.box), centre(detection.box)
            step = ((nx - ox) / dt, (ny - oy) / dt)
            self.velocity = (self.velocity[0] * (1 - VELOCITY_BLEND) + step[0] * VELOCITY_BLEND,
                             self.velocity[1] * (1 - VELOCITY_BLEND) + step[1] * VELOCITY_BLEND)
        self.box, self.score, self.last_seen = detection.box, detection.score, at
        self.hits += 1

    def public(self) -> Track:
        return Track(self.track_id, self.label, self.score, self.box, self.first_seen, self.last_seen)


def centre(box: Box) -> tuple[float, float]:
    return ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)


def inside(point: tuple[float, float]) -> bool:
    return 0.0 <= point[0] <= 1.0 and 0.0 <= point[1] <= 1.0


def iou(a: Box, b: Box) -> float:
    """Intersection over union of two boxes."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def costs(predicted: Sequence[Box], boxes: Sequence[Box]) -> npt.NDArray[np.float64]:
    """Cost of pairing each predicted track box with each detection: 1 − IoU, or past 1 by centre distance."""
    matrix = np.full((len(predicted), len(boxes)), NO_MATCH)
    for i, track_box in enumerate(predicted):
        size = max(track_box[2] - track_box[0], track_box[3] - track_box[1], 1e-6)
        tx, ty = centre(track_box)
        for j, box in enumerate(boxes):
            overlap = iou(track_box, box)
            if overlap >= IOU_MIN:
                matrix[i, j] = 1.0 - overlap
                continue
            bx, by = centre(box)
            distance = ((tx - bx) ** 2 + (ty - by) ** 2) ** 0.5 / size
            if distance < DISTANCE_MAX:
                matrix[i, j] = 1.0 + distance
    return matrix


class Tracker:
    """One camera's tracks (not thread-safe: the analysis thread owns it)."""

    def __init__(self, *, max_age_s: float = 3.0, min_hits: int = 2, high: float = 0.45,
                 ids: Iterator[int] | None = None) -> None:
        self.max_age_s = max_age_s
        self.min_hits = min_hits
        self.high = high  # detections at least this sure start tracks; weaker ones only keep tracks alive
        self._ids = ids if ids is not None else itertools.count(1)
        self._live: list[_Live] = []

    def live_boxes(self, at: datetime) -> list[Box]:
        """Where the confirmed tracks are: the detector looks there too, so objects that stopped stay tracked.
        A track whose predicted centre has left the frame is over (the detector need not look for it)."""
        self._live = [t for t in self._live if inside(centre(t.predicted(at)))]
        return [t.box for t in self._live if t.hits >= self.min_hits]

    def update(self, detections: Sequence[Detection], at: datetime) -> list[Track]:
        """Match a frame's detections to the tracks; returns the confirmed tracks seen in this frame."""
        self._live = [t for t in self._live if (at - t.last_seen).total_seconds() <= self.max_age_s]
        matched: set[int] = set()
        for label in sorted({d.label for d in detections} | {t.label for t in self._live}):
            tracks = [t for t in self._live if t.label == label]
            mine = [d for d in detections if d.label == label]
            strong = [d for d in mine if d.score >= self.high]
            weak = [d for d in mine if d.score < self.high]
            left = self._assign(tracks, strong, at, matched)
            self._assign([t for t in left if t.hits >= self.min_hits], weak, at, matched)
            taken = {id(d) for d in strong if id(d) in matched}
            for detection in strong:
                if id(detection) not in taken:
                    track = _Live(next(self._ids), label, detection.box, detection.score, at, at)
                    self._live.append(track)
        # A tentative track not seen again at once was noise: ByteTrack drops it rather than coast it.
        self._live = [t for t in self._live if t.hits >= self.min_hits or t.last_seen == at]
        return [t.public() for t in self._live if t.last_seen == at and t.hits >= self.min_hits]

    def _assign(self, tracks: list[_Live], detections: list[Detection], at: datetime, matched: set[int]
                ) -> list[_Live]:
        """Pair tracks with detections (Hungarian on the costs); returns the tracks left unpaired."""
        if not tracks or not detections:
            return tracks
        matrix = costs([t.predicted(at) for t in tracks], [d.box for d in detections])
        rows, cols = linear_sum_assignment(matrix)
        paired: set[int] = set()
        for row, col in zip(rows, cols, strict=True):
            if matrix[row, col] >= NO_MATCH:
                continue
            tracks[row].take(detections[col], at)
            matched.add(id(detections[col]))
            paired.add(int(row))
        return [t for i, t in enumerate(tracks) if i not in paired]
