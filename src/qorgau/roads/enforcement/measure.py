"""Pure measurement: a camera's road-plane homography, spot speed over a track, section speed, stop-line crossing
and the red lamp read from the picture. No database, no I/O: every function is tested on synthetic data.

Error budget of a spot speed (each term a 1-sigma relative or absolute error, combined in quadrature):
- calibration: the reprojection RMS (metres) over the track's measured length is a scale error of the distance;
- box jitter and timestamp jitter: both show up as residuals of the straight-line fit s(t) = s0 + v·t, so the
  fit's own standard error of the slope carries them (a robust fit drops outliers first);
- the track must be long enough: a short one (< MIN_TRACK_M or < MIN_POINTS) measures nothing and says why.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import cv2
import numpy as np
from numpy.typing import NDArray

Point = tuple[float, float]
Floats = NDArray[np.float64]
MIN_PAIRS = 4
MIN_POINTS = 5  # fewer track points cannot separate jitter from motion
MIN_TRACK_M = 3.0  # metres travelled on the plane
MS_TO_KMH = 3.6


class NoMeasurement(StrEnum):
    """Why a speed point measured nothing (a status, never a 0)."""

    UNCALIBRATED = "uncalibrated"
    TOO_FEW_POINTS = "too_few_points"
    TOO_SHORT = "too_short"
    NOT_MOVING_FORWARD = "not_moving_forward"
    BAD_TIMES = "bad_times"


class CalibrationProblem(StrEnum):
    TOO_FEW_PAIRS = "too_few_pairs"
    DUPLICATE_POINTS = "duplicate_points"
    DEGENERATE = "degenerate"  # three or more points on one line, or an unsolvable set


@dataclass(frozen=True, slots=True)
class Homography:
    """Image pixels to road-plane metres; ``rms_m`` is the reprojection error of the pairs it was fitted on."""

    matrix: tuple[tuple[float, float, float], ...]
    rms_m: float
    max_m: float

    def project(self, points: Sequence[Point]) -> Floats:
        array = np.asarray(points, dtype=np.float64).reshape(-1, 1, 2)
        out = cv2.perspectiveTransform(array, np.asarray(self.matrix, dtype=np.float64)).reshape(-1, 2)
        return np.asarray(out, dtype=np.float64)


def _degenerate(points: Floats) -> bool:
    """With four pairs no three may share a line; with more, the points must at least not all share one."""
    scale = float(np.ptp(points, axis=0).max()) or 1.0
    tolerance = 1e-4 * scale * scale
    triples = [(i, j, k) for i in range(len(points)) for j in range(i + 1, len(points))
               for k in range(j + 1, len(points))]
    areas = [abs(float((points[j][0] - points[i][0]) * (points[k][1] - points[i][1])
                       - (points[j][1] - points[i][1]) * (points[k][0] - points[i][0]))) for i, j, k in triples]
    return min(areas) < tolerance if len(points) == MIN_PAIRS else max(areas) < tolerance


def fit_homography(image: Sequence[Point], plane: Sequence[Point]) -> Homography | CalibrationProblem:
    """Least-squares homography over every pair (no RANSAC: an officer's points are few and all meant)."""
    if len(image) < MIN_PAIRS or len(image) != len(plane):
        return CalibrationProblem.TOO_FEW_PAIRS
    src, dst = np.asarray(image, dtype=np.float64), np.asarray(plane, dtype=np.float64)
    if len({tuple(p) for p in src.round(3).tolist()}) < len(src) or \
            len({tuple(p) for p in dst.round(3).tolist()}) < len(dst):
        return CalibrationProblem.DUPLICATE_POINTS
    if _degenerate(src) or _degenerate(dst):
        return CalibrationProblem.DEGENERATE
    matrix, _ = cv2.findHomography(src, dst, 0)
    if matrix is None or not np.all(np.isfinite(matrix)) or abs(float(np.linalg.det(matrix))) < 1e-12:
        return CalibrationProblem.DEGENERATE
    matrix = matrix / matrix[2, 2]
    rows = tuple((float(row[0]), float(row[1]), float(row[2])) for row in matrix)
    fitted = Homography(rows, 0.0, 0.0)
    errors = np.linalg.norm(fitted.project(image) - dst, axis=1)
    return Homography(fitted.matrix, float(np.sqrt(np.mean(errors ** 2))), float(errors.max()))


@dataclass(frozen=True, slots=True)
class SpotSpeed:
    kmh: float
    sigma_kmh: float  # combined 1-sigma: fit (box and timestamp jitter) and calibration scale
    fit_sigma_kmh: float
    calibration_sigma_kmh: float
    points_used: int
    points_dropped: int
    track_m: float
    method: str = "robust line fit of distance over time, bottom-centre of the box on the calibrated plane"


def _line_fit(t: Floats, s: Floats) -> tuple[float, float, Floats, float]:
    """Slope, intercept, residuals and the slope's standard error of an ordinary least-squares line."""
    t0 = t - t.mean()
    denom = float(np.sum(t0 ** 2))
    slope = float(np.sum(t0 * (s - s.mean())) / denom)
    intercept = float(s.mean() - slope * t.mean())
    residuals = s - (intercept + slope * t)
    dof = max(len(t) - 2, 1)
    stderr = math.sqrt(float(np.sum(residuals ** 2)) / dof / denom)
    return slope, intercept, residuals, stderr


def spot_speed(times_s: Sequence[float], boxes: Sequence[tuple[float, float, float, float]],
               homography: Homography | None) -> SpotSpeed | NoMeasurement:
    """Speed of one tracked vehicle from its boxes (x1, y1, x2, y2 pixels) and their capture times (seconds).

    The bottom-centre of a box is where the vehicle meets the road, the only point the plane homography is valid
    for. Positions are reduced to the distance along the track's main direction and fitted against time; points
    whose residual exceeds 3.5 robust sigmas (a box that jumped to a neighbour, a late frame) are dropped once.
    """
    if homography is None:
        return NoMeasurement.UNCALIBRATED
    if len(times_s) < MIN_POINTS or len(times_s) != len(boxes):
        return NoMeasurement.TOO_FEW_POINTS
    t = np.asarray(times_s, dtype=np.float64)
    if not np.all(np.isfinite(t)) or np.ptp(t) <= 0:
        return NoMeasurement.BAD_TIMES
    feet = [((x1 + x2) / 2.0, max(y1, y2)) for x1, y1, x2, y2 in boxes]
    plane = homography.project(feet)
    centred = plane - plane.mean(axis=0)
    direction = np.linalg.svd(centred, full_matrices=False)[2][0]
    s = centred @ direction
    track_m = float(np.ptp(s))
    if track_m < MIN_TRACK_M:
        return NoMeasurement.TOO_SHORT
    slope, _, residuals, stderr = _line_fit(t, s)
    keep = np.ones(len(t), dtype=bool)
    mad = float(np.median(np.abs(residuals - np.median(residuals))))
    if mad > 0:
        keep = np.abs(residuals) <= 3.5 * 1.4826 * mad + 1e-9
        if keep.sum() >= MIN_POINTS and not keep.all():
            slope, _, _, stderr = _line_fit(t[keep], s[keep])
        else:
            keep[:] = True
    speed = abs(slope)
    if speed <= 0:
        return NoMeasurement.NOT_MOVING_FORWARD
    fit_sigma = stderr * MS_TO_KMH
    calibration_sigma = speed * MS_TO_KMH * min(homography.rms_m / track_m, 1.0)
    return SpotSpeed(kmh=speed * MS_TO_KMH, sigma_kmh=math.hypot(fit_sigma, calibration_sigma),
                     fit_sigma_kmh=fit_sigma, calibration_sigma_kmh=calibration_sigma,
                     points_used=int(keep.sum()), points_dropped=int((~keep).sum()), track_m=track_m)


def two_point_speed(times_s: Sequence[float], boxes: Sequence[tuple[float, float, float, float]],
                    homography: Homography) -> float:
    """The naive estimate (first and last box only), km/h: the benchmark's baseline."""
    feet = [((b[0] + b[2]) / 2.0, max(b[1], b[3])) for b in (boxes[0], boxes[-1])]
    a, b = homography.project(feet)
    return float(np.linalg.norm(b - a)) / (times_s[-1] - times_s[0]) * MS_TO_KMH


def section_speed(distance_m: float, entered_s: float, left_s: float) -> float | None:
    """Average speed over a section (km/h); None when the times are not in order."""
    elapsed = left_s - entered_s
    return distance_m / elapsed * MS_TO_KMH if elapsed > 0 and distance_m > 0 else None


def _side(line: tuple[Point, Point], point: Point) -> float:
    (ax, ay), (bx, by) = line
    return (bx - ax) * (point[1] - ay) - (by - ay) * (point[0] - ax)


def crossing_time(times_s: Sequence[float], feet: Sequence[Point], line: tuple[Point, Point]) -> float | None:
    """When the track's foot point first crosses the stop line (linear between frames), or None if it never does.

    A crossing counts only within the line's extent, so a vehicle passing beside the line on another lane does not.
    """
    (ax, ay), (bx, by) = line
    length2 = (bx - ax) ** 2 + (by - ay) ** 2
    for i in range(1, len(feet)):
        before, after = _side(line, feet[i - 1]), _side(line, feet[i])
        if before == 0 or before * after >= 0:
            continue
        share = before / (before - after)
        x = feet[i - 1][0] + share * (feet[i][0] - feet[i - 1][0])
        y = feet[i - 1][1] + share * (feet[i][1] - feet[i - 1][1])
        along = ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / length2 if length2 else -1.0
        if 0.0 <= along <= 1.0:
            return times_s[i - 1] + share * (times_s[i] - times_s[i - 1])
    return None


@dataclass(frozen=True, slots=True)
class LampReading:
    red: bool
    mean_hue_deg: float
    mean_saturation: float
    mean_value: float


def red_lamp(image_bgr: NDArray[np.uint8], roi: tuple[int, int, int, int], *, min_value: float = 150.0,
             min_saturation: float = 90.0) -> LampReading:
    """Whether the red lamp inside ``roi`` (x, y, width, height) is lit: bright, saturated and red-hued.

    Hue is averaged on the circle (red wraps around 0°), over the ROI's brightest quarter so a dark housing around
    the lamp does not dilute it.
    """
    x, y, w, h = roi
    patch = image_bgr[y:y + h, x:x + w]
    if patch.size == 0:
        return LampReading(False, 0.0, 0.0, 0.0)
    hsv = cv2.cvtColor(patch, cv2.COLOR_BGR2HSV).reshape(-1, 3).astype(np.float64)
    bright = hsv[hsv[:, 2] >= np.percentile(hsv[:, 2], 75)]
    angle = bright[:, 0] * 2.0 * math.pi / 180.0  # OpenCV hue is 0..179 for 0..358 degrees
    hue = math.degrees(math.atan2(float(np.sin(angle).mean()), float(np.cos(angle).mean()))) % 360.0
    saturation, value = float(bright[:, 1].mean()), float(bright[:, 2].mean())
    is_red = (hue <= 20.0 or hue >= 340.0) and saturation >= min_saturation and value >= min_value
    return LampReading(is_red, hue, saturation, value)
