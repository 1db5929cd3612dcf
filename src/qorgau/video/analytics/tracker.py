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
from collections.abc import Iterator, Mapping, Sequence
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
# A track predicted to move at least this share of its box size since it was last seen has a direction: a match by
# centre distance that lies behind where it was (against that direction) is refused. Without it, when a car goes
# undetected for a frame its track jumps back onto the car following it, and a line rule counts a wrong-way
# crossing and loses the real one (bench/detection_quality.py, road-3lane).
DIRECTED_SHARE = 0.25
HIGH = 0.45  # a detection at least this sure starts a track (tuned with the detector's default thresholds)
# Classes tracked as one object: the detector is often unsure whether a van is a car, a bus or a truck, and says
# so differently from frame to frame (a car seen from above: truck, bus, truck, car); a track per class would
# break at each change and start again, too late to see the object cross a line.
_GROUP = {"car": "vehicle", "bus": "vehicle", "truck": "vehicle"}


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
    votes: dict[str, float] = field(default_factory=dict)  # class → summed score of the detections taken
    origin: Box = (0.0, 0.0, 0.0, 0.0)  # the box it was first seen at

    def __post_init__(self) -> None:
        self.votes[self.label] = self.score
        self.origin = self.box

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
        self.votes[detection.label] = self.votes.get(detection.label, 0.0) + detection.score
        self.label = max(self.votes, key=lambda label: self.votes[label])  # the class it was most surely seen as

    def public(self) -> Track:
        return Track(self.track_id, self.label, self.score, self.box, self.first_seen, self.last_seen, self.origin)


def start_scores(camera: Mapping[str, float], high: float = HIGH) -> dict[str, float]:
    """Per class, the score that starts a track on a camera with detector thresholds of its own (``camera``): the
    threshold itself where it is below ``high``. Such thresholds are set where the model is unsure of the view (cars
    seen from above score 0.1–0.37); with the general start score those objects would be detected but tracked
    late or never, so never counted, searched or alarmed on. Two hits in a row still confirm a track."""
    return {label: min(own, high) for label, own in camera.items()}


def group_of(label: str) -> str:
    """The tracking group of a class (car, bus and truck are one)."""
    return _GROUP.get(label, label)


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


def costs(predicted: Sequence[Box], boxes: Sequence[Box], last: Sequence[Box] | None = None
          ) -> npt.NDArray[np.float64]:
    """Cost of pairing each predicted track box with each detection: 1 − IoU, or past 1 by centre distance.
    With ``last`` (each track's box where it was last seen), a distance match behind a moving track is refused."""
    matrix = np.full((len(predicted), len(boxes)), NO_MATCH)
    for i, track_box in enumerate(predicted):
        size = max(track_box[2] - track_box[0], track_box[3] - track_box[1], 1e-6)
        tx, ty = centre(track_box)
        lx, ly = centre(last[i]) if last is not None else (tx, ty)
        heading = (tx - lx, ty - ly)  # where the track is expected to go since it was last seen
        directed = (heading[0] ** 2 + heading[1] ** 2) ** 0.5 >= DIRECTED_SHARE * size
        for j, box in enumerate(boxes):
            overlap = iou(track_box, box)
            if overlap >= IOU_MIN:
                matrix[i, j] = 1.0 - overlap
                continue
            bx, by = centre(box)
            if directed and (bx - lx) * heading[0] + (by - ly) * heading[1] < 0:
                continue
            distance = ((tx - bx) ** 2 + (ty - by) ** 2) ** 0.5 / size
            if distance < DISTANCE_MAX:
                matrix[i, j] = 1.0 + distance
    return matrix


class Tracker:
    """One camera's tracks (not thread-safe: the analysis thread owns it)."""

    def __init__(self, *, max_age_s: float = 3.0, min_hits: int = 2, high: float = HIGH,
                 high_by_label: Mapping[str, float] | None = None, ids: Iterator[int] | None = None) -> None:
        self.max_age_s = max_age_s
        self.min_hits = min_hits
        self.high = high  # detections at least this sure start tracks; weaker ones only keep tracks alive
        self.high_by_label = dict(high_by_label or {})  # the same for single classes (see ``start_scores``)
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
        for group in sorted({group_of(d.label) for d in detections} | {group_of(t.label) for t in self._live}):
            tracks = [t for t in self._live if group_of(t.label) == group]
            mine = [d for d in detections if group_of(d.label) == group]
            strong = [d for d in mine if d.score >= self.high_by_label.get(d.label, self.high)]
            weak = [d for d in mine if d.score < self.high_by_label.get(d.label, self.high)]
            left = self._assign(tracks, strong, at, matched)
            self._assign([t for t in left if t.hits >= self.min_hits], weak, at, matched)
            taken = {id(d) for d in strong if id(d) in matched}
            for detection in strong:
                if id(detection) not in taken:
                    track = _Live(next(self._ids), detection.label, detection.box, detection.score, at, at)
                    self._live.append(track)
        # A tentative track not seen again at once was noise: ByteTrack drops it rather than coast it.
        self._live = [t for t in self._live if t.hits >= self.min_hits or t.last_seen == at]
        return [t.public() for t in self._live if t.last_seen == at and t.hits >= self.min_hits]

    def _assign(self, tracks: list[_Live], detections: list[Detection], at: datetime, matched: set[int]
                ) -> list[_Live]:
        """Pair tracks with detections (Hungarian on the costs); returns the tracks left unpaired.

        Overlapping pairs are settled first, and only what is left of both is paired by centre distance: in one
        assignment, a track whose own object went undetected takes the box of the object behind it, which pushes
        that object's track onto the next one, and so on down a queue of cars (road-3lane at 10 fps)."""
        if not tracks or not detections:
            return tracks
        matrix = costs([t.predicted(at) for t in tracks], [d.box for d in detections], [t.box for t in tracks])
        paired: set[int] = set()
        taken: set[int] = set()
        for limit in (1.0, NO_MATCH):  # overlaps (cost under 1) first, then distances
            rows = [i for i in range(len(tracks)) if i not in paired]
            cols = [j for j in range(len(detections)) if j not in taken]
            if not rows or not cols:
                break
            sub = matrix[np.ix_(rows, cols)]
            for r, c in zip(*linear_sum_assignment(np.where(sub < limit, sub, NO_MATCH)), strict=True):
                if sub[r, c] >= limit:
                    continue
                row, col = rows[r], cols[c]
                tracks[row].take(detections[col], at)
                matched.add(id(detections[col]))
                paired.add(row)
                taken.add(col)
        return [t for i, t in enumerate(tracks) if i not in paired]
