"""Pure measurement: spot speed over a track on the calibrated road plane, section speed, stop-line crossing and
the red lamp read from the picture. No database, no I/O: every function is tested on synthetic data. The camera's
calibration (the homography and its uncertainty) lives in ``calibration``; its names are re-exported here.

Error budget of a spot speed (ADR 0052; each term a 1-sigma error, combined in quadrature):
- calibration: the uncertainty the marks' click error leaves in the plane's scale along this very track
  (propagated from the homography's covariance), a share of the speed that is the same for every car;
- box jitter and timestamp jitter: both show up as residuals of the straight-line fit s(t) = s0 + v·t, so the
  fit's own standard error of the slope carries them (a robust fit drops outliers first). Times are the
  frames' presentation times (the stream's PTS on the connection's wall anchor), not their arrival;
- a track too short, too jittery or measured on too coarse a calibration to vouch for the speed within the
  allowed expanded uncertainty measures nothing and says why (the caller counts it).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import cv2
import numpy as np
from numpy.typing import NDArray

from qorgau.roads.enforcement.calibration import MIN_PAIRS as MIN_PAIRS
from qorgau.roads.enforcement.calibration import CalibrationProblem as CalibrationProblem
from qorgau.roads.enforcement.calibration import Homography as Homography
from qorgau.roads.enforcement.calibration import fit_homography as fit_homography

Point = tuple[float, float]
Floats = NDArray[np.float64]
MIN_POINTS = 5  # fewer track points cannot separate jitter from motion
MIN_TRACK_M = 3.0  # metres travelled on the plane
MS_TO_KMH = 3.6
PASSES = 2  # a second pass catches a jump the first one's larger spread masked
# A point is an outlier beyond this many robust sigmas: the MAD of 25 points is itself some 25 % uncertain, so a
# 3.5-sigma cut dropped good far points from one track in thirteen and then understated the speed's error.
OUTLIER_SIGMAS = 6.0
COVERAGE = 3.0  # sigmas of the expanded uncertainty a measured speed must keep within the allowed error


class NoMeasurement(StrEnum):
    """Why a speed point measured nothing (a status, never a 0)."""

    UNCALIBRATED = "uncalibrated"
    TOO_FEW_POINTS = "too_few_points"
    TOO_SHORT = "too_short"
    NOT_MOVING_FORWARD = "not_moving_forward"
    BAD_TIMES = "bad_times"
    TOO_JITTERY = "too_jittery"  # the track's own scatter alone exceeds the allowed uncertainty
    CALIBRATION_TOO_COARSE = "calibration_too_coarse"  # the calibration's scale error alone exceeds it
    TOO_UNCERTAIN = "too_uncertain"  # neither alone, both together


@dataclass(frozen=True, slots=True)
class SpotSpeed:
    kmh: float
    sigma_kmh: float  # combined 1-sigma: fit (box and timestamp jitter) and calibration scale
    fit_sigma_kmh: float
    calibration_sigma_kmh: float
    points_used: int
    points_dropped: int
    track_m: float
    method: str = ("robust weighted line fit of distance over time, bottom-centre of the box on the calibrated "
                   "plane")


def _line_fit(t: Floats, s: Floats, w: Floats) -> tuple[float, float, Floats, float]:
    """Slope, intercept, residuals and the slope's standard error of a weighted least-squares line (the weights'
    common scale is estimated from the residuals)."""
    t_mean, s_mean = float(np.average(t, weights=w)), float(np.average(s, weights=w))
    t0 = t - t_mean
    denom = float(np.sum(w * t0 ** 2))
    slope = float(np.sum(w * t0 * (s - s_mean)) / denom)
    intercept = s_mean - slope * t_mean
    residuals = s - (intercept + slope * t)
    dof = max(len(t) - 2, 1)
    stderr = math.sqrt(float(np.sum(w * residuals ** 2)) / dof / denom)
    return slope, intercept, residuals, stderr


def _metres_per_pixel(homography: Homography, feet: Sequence[Point], direction: Floats) -> Floats:
    """How far along the track (metres) one pixel of box jitter moves each foot point: a far point's pixel is
    several times a near one's metres, so its distance is that much less certain."""
    base = np.asarray(feet, dtype=np.float64)
    step_x, step_y = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    shifted = homography.project(np.vstack([base, base + step_x, base + step_y]).tolist())
    n = len(base)
    across = (shifted[n:2 * n] - shifted[:n]) @ direction
    down = (shifted[2 * n:] - shifted[:n]) @ direction
    scale: Floats = np.hypot(across, down)
    return scale


def spot_speed(times_s: Sequence[float], boxes: Sequence[tuple[float, float, float, float]],
               homography: Homography | None, *, max_uncertainty_kmh: float | None = None,
               coverage: float = COVERAGE) -> SpotSpeed | NoMeasurement:
    """Speed of one tracked vehicle from its boxes (x1, y1, x2, y2 pixels) and their capture times (seconds).

    The bottom-centre of a box is where the vehicle meets the road, the only point the plane homography is valid
    for: every box gives that one point, never its centre. Positions are reduced to the distance along the
    track's main direction and fitted against time, each point weighted by how many metres one pixel is there;
    points whose residual exceeds OUTLIER_SIGMAS robust sigmas (a box that jumped to a neighbour, a late frame)
    are dropped, twice at most. With ``max_uncertainty_kmh`` a speed whose
    expanded uncertainty (``coverage`` sigmas) exceeds it is refused with the source that makes it so.
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
    # Weighted by each point's expected scatter (box jitter is in pixels, so metres grow with distance): a far
    # point is neither trusted like a near one nor, with its larger residual, taken for an outlier.
    weights = 1.0 / np.maximum(_metres_per_pixel(homography, feet, direction), 1e-6) ** 2
    keep = np.ones(len(t), dtype=bool)
    slope, intercept, residuals, stderr = _line_fit(t, s, weights)
    for _ in range(PASSES):
        standard = residuals * np.sqrt(weights)
        mad = float(np.median(np.abs(standard[keep] - np.median(standard[keep]))))
        if mad <= 0:
            break
        trial = np.abs(standard) <= OUTLIER_SIGMAS * 1.4826 * mad + 1e-9
        if trial.sum() < MIN_POINTS or np.array_equal(trial, keep):
            break
        keep = trial
        slope, intercept, _, stderr = _line_fit(t[keep], s[keep], weights[keep])
        residuals = s - (intercept + slope * t)
    speed = abs(slope)
    if speed <= 0:
        return NoMeasurement.NOT_MOVING_FORWARD
    fit_sigma = stderr * MS_TO_KMH
    kept = np.flatnonzero(keep)
    first, last = feet[int(kept[0])], feet[int(kept[-1])]
    length_sigma = homography.length_sigma(first, last)
    along = float(np.linalg.norm(plane[int(kept[-1])] - plane[int(kept[0])]))
    relative = length_sigma / along if length_sigma is not None and along > 0 else \
        min(homography.rms_m / track_m, 1.0)
    calibration_sigma = speed * MS_TO_KMH * relative
    sigma = math.hypot(fit_sigma, calibration_sigma)
    if max_uncertainty_kmh is not None and coverage * sigma > max_uncertainty_kmh:
        if coverage * fit_sigma > max_uncertainty_kmh:
            return NoMeasurement.TOO_JITTERY
        if coverage * calibration_sigma > max_uncertainty_kmh:
            return NoMeasurement.CALIBRATION_TOO_COARSE
        return NoMeasurement.TOO_UNCERTAIN
    return SpotSpeed(kmh=speed * MS_TO_KMH, sigma_kmh=sigma, fit_sigma_kmh=fit_sigma,
                     calibration_sigma_kmh=calibration_sigma, points_used=int(keep.sum()),
                     points_dropped=int((~keep).sum()), track_m=track_m)


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
