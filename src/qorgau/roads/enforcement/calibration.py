"""A speed camera's road-plane calibration: the homography from surveyed marks by least squares in the picture,
the residual of each mark (shown to the officer, and a bad one refuses the calibration), and the uncertainty the
clicks leave in the plane's scale, carried into every spot speed (ADR 0052). Pure numpy/OpenCV, no I/O.

The marks' road positions are surveyed (metres, exact to a few millimetres) while their picture positions are
clicked (a pixel or two off), so the fit minimises the picture error of plane → picture and inverts it: that is
the maximum-likelihood homography under click noise, where fitting picture → plane in metres would weight the far
marks (few pixels per metre) as if they were as precise as the near ones.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import cv2
import numpy as np
from numpy.typing import NDArray
from scipy.stats import chi2

Point = tuple[float, float]
Floats = NDArray[np.float64]
MIN_PAIRS = 4
CLICK_PX = 2.0  # the click error assumed when the marks are too few to estimate it (an officer on a snapshot)
# The share of honest calibrations (clicks off by CLICK_PX) the residual tests refuse, at most: half of it to the
# RMS of the set (a metre scale or several marks off), half to its worst mark (one mark off, diluted in the RMS).
FALSE_REFUSAL = 0.001


class CalibrationProblem(StrEnum):
    TOO_FEW_PAIRS = "too_few_pairs"
    DUPLICATE_POINTS = "duplicate_points"
    DEGENERATE = "degenerate"  # three or more points on one line, or an unsolvable set
    RESIDUAL_TOO_LARGE = "residual_too_large"  # the marks disagree with any one road plane (a mark or a metre off)


@dataclass(frozen=True, slots=True)
class Homography:
    """Image pixels to road-plane metres.

    ``rms_m``/``max_m``: the marks' reprojection error on the plane; ``rms_px`` and ``residuals_px`` the same in
    the picture (what the clicks got wrong). ``covariance`` is that of the eight plane → picture parameters
    (row-major, h33 = 1) under the click error: it gives each speed its calibration share. None for a homography
    known without its marks (then the share falls back to the plane RMS over the track length).
    """

    matrix: tuple[tuple[float, float, float], ...]
    rms_m: float
    max_m: float
    rms_px: float = 0.0
    residuals_px: tuple[float, ...] = ()
    covariance: tuple[tuple[float, ...], ...] | None = None

    def project(self, points: Sequence[Point]) -> Floats:
        array = np.asarray(points, dtype=np.float64).reshape(-1, 1, 2)
        out = cv2.perspectiveTransform(array, np.asarray(self.matrix, dtype=np.float64)).reshape(-1, 2)
        return np.asarray(out, dtype=np.float64)

    def length_sigma(self, a: Point, b: Point) -> float | None:
        """1-sigma error (metres) of the plane distance between two picture points that the calibration leaves."""
        if self.covariance is None:
            return None
        forward = np.linalg.inv(np.asarray(self.matrix, dtype=np.float64))
        forward = forward / forward[2, 2]
        plane = self.project([a, b])
        along = plane[1] - plane[0]
        length = float(np.linalg.norm(along))
        if length == 0:
            return None
        # A picture point stays put while the parameters move, so its plane point moves by -(dG/dP)^-1 (dG/dp) dp.
        shifts = [-np.linalg.solve(_point_jacobian(forward, point), _parameter_jacobian(forward, point))
                  for point in plane]
        gradient = (along / length) @ (shifts[1] - shifts[0])
        variance = float(gradient @ np.asarray(self.covariance, dtype=np.float64) @ gradient)
        return math.sqrt(max(variance, 0.0))


def _project(forward: Floats, plane: Floats) -> Floats:
    homogeneous = np.c_[plane, np.ones(len(plane))] @ forward.T
    result: Floats = homogeneous[:, :2] / homogeneous[:, 2:]
    return result


def _parameter_jacobian(forward: Floats, point: Floats) -> Floats:
    """d(picture u, v)/d(h11 .. h32) of plane → picture at one plane point."""
    x, y = float(point[0]), float(point[1])
    w = float(forward[2, 0] * x + forward[2, 1] * y + forward[2, 2])
    u = float(forward[0, 0] * x + forward[0, 1] * y + forward[0, 2]) / w
    v = float(forward[1, 0] * x + forward[1, 1] * y + forward[1, 2]) / w
    return np.array([[x / w, y / w, 1 / w, 0, 0, 0, -u * x / w, -u * y / w],
                     [0, 0, 0, x / w, y / w, 1 / w, -v * x / w, -v * y / w]], dtype=np.float64)


def _point_jacobian(forward: Floats, point: Floats) -> Floats:
    """d(picture u, v)/d(plane x, y) at one plane point."""
    x, y = float(point[0]), float(point[1])
    w = float(forward[2, 0] * x + forward[2, 1] * y + forward[2, 2])
    u = float(forward[0, 0] * x + forward[0, 1] * y + forward[0, 2]) / w
    v = float(forward[1, 0] * x + forward[1, 1] * y + forward[1, 2]) / w
    return np.array([[(forward[0, 0] - u * forward[2, 0]) / w, (forward[0, 1] - u * forward[2, 1]) / w],
                     [(forward[1, 0] - v * forward[2, 0]) / w, (forward[1, 1] - v * forward[2, 1]) / w]])


def _degenerate(points: Floats) -> bool:
    """With four pairs no three may share a line; with more, the points must at least not all share one."""
    scale = float(np.ptp(points, axis=0).max()) or 1.0
    tolerance = 1e-4 * scale * scale
    triples = [(i, j, k) for i in range(len(points)) for j in range(i + 1, len(points))
               for k in range(j + 1, len(points))]
    areas = [abs(float((points[j][0] - points[i][0]) * (points[k][1] - points[i][1])
                       - (points[j][1] - points[i][1]) * (points[k][0] - points[i][0]))) for i, j, k in triples]
    return min(areas) < tolerance if len(points) == MIN_PAIRS else max(areas) < tolerance


def _refine(forward: Floats, plane: Floats, image: Floats) -> Floats:
    """Gauss-Newton on the picture residuals (a few steps from OpenCV's estimate polish the last digits)."""
    params = (forward / forward[2, 2]).reshape(-1)[:8].copy()
    for _ in range(5):
        current = np.append(params, 1.0).reshape(3, 3)
        residuals = (_project(current, plane) - image).reshape(-1)
        jacobian = np.vstack([_parameter_jacobian(current, p) for p in plane])
        step = np.linalg.lstsq(jacobian, -residuals, rcond=None)[0]
        params = params + step
        if float(np.max(np.abs(step) / np.maximum(np.abs(params), 1e-9))) < 1e-12:
            break
    return np.append(params, 1.0).reshape(3, 3)


def uncertainty(forward: Floats, plane: Floats, image: Floats, *, click_px: float = CLICK_PX) -> Floats:
    """Covariance of the eight plane → picture parameters: the larger of the assumed click error and the one the
    marks' own residuals show (possible only with more than four marks) scales (J^T J)^-1."""
    jacobian = np.vstack([_parameter_jacobian(forward, p) for p in plane])
    residuals = (_project(forward, plane) - image).reshape(-1)
    dof = len(residuals) - 8
    shown = math.sqrt(float(residuals @ residuals) / dof) if dof > 0 else 0.0
    sigma = max(click_px, shown)
    covariance: Floats = np.asarray(np.linalg.pinv(jacobian.T @ jacobian) * sigma * sigma, dtype=np.float64)
    return covariance


def max_rms_px(marks: int, *, click_px: float = CLICK_PX) -> float:
    """The largest picture RMS honest clicks give (all but FALSE_REFUSAL of the time) with this many marks: the
    squared residuals over click_px^2 follow chi-square with 2 * marks - 8 degrees of freedom."""
    dof = 2 * marks - 8
    return math.inf if dof <= 0 else click_px * math.sqrt(float(chi2.ppf(1.0 - FALSE_REFUSAL / 2, dof)) / marks)


def max_mark_px(marks: int, *, click_px: float = CLICK_PX) -> float:
    """The largest residual honest clicks give one mark (all but FALSE_REFUSAL of the sets, spread over the
    marks): a residual is at most the click's own 2-D error, whose square over click_px^2 is chi-square with 2."""
    return math.inf if marks <= MIN_PAIRS else click_px * math.sqrt(-2.0 * math.log(FALSE_REFUSAL / 2 / marks))


def fit_homography(image: Sequence[Point], plane: Sequence[Point], *, click_px: float = CLICK_PX,
                   check_residual: bool = True) -> Homography | CalibrationProblem:
    """Least-squares homography over every surveyed mark, minimising the picture error (no RANSAC: an officer's
    marks are few and all meant, so a mark that disagrees refuses the set instead of being silently dropped).
    ``check_residual=False`` keeps a set of assumed (not surveyed) marks with its residual; that residual then
    widens the uncertainty of every speed measured on it."""
    if len(image) < MIN_PAIRS or len(image) != len(plane):
        return CalibrationProblem.TOO_FEW_PAIRS
    src, dst = np.asarray(image, dtype=np.float64), np.asarray(plane, dtype=np.float64)
    if len({tuple(p) for p in src.round(3).tolist()}) < len(src) or \
            len({tuple(p) for p in dst.round(3).tolist()}) < len(dst):
        return CalibrationProblem.DUPLICATE_POINTS
    if _degenerate(src) or _degenerate(dst):
        return CalibrationProblem.DEGENERATE
    forward, _ = cv2.findHomography(dst, src, 0)
    if forward is None or not np.all(np.isfinite(forward)) or abs(float(np.linalg.det(forward))) < 1e-12:
        return CalibrationProblem.DEGENERATE
    forward = _refine(np.asarray(forward, dtype=np.float64), dst, src)
    if not np.all(np.isfinite(forward)) or abs(float(np.linalg.det(forward))) < 1e-12:
        return CalibrationProblem.DEGENERATE
    inverse = np.linalg.inv(forward)
    inverse = inverse / inverse[2, 2]
    residuals_px = np.linalg.norm(_project(forward, dst) - src, axis=1)
    rms_px = float(np.sqrt(np.mean(residuals_px ** 2)))
    if check_residual and (rms_px > max_rms_px(len(src), click_px=click_px)
                           or float(residuals_px.max()) > max_mark_px(len(src), click_px=click_px)):
        return CalibrationProblem.RESIDUAL_TOO_LARGE
    rows = tuple((float(row[0]), float(row[1]), float(row[2])) for row in inverse)
    errors = np.linalg.norm(Homography(rows, 0.0, 0.0).project(image) - dst, axis=1)
    covariance = uncertainty(forward, dst, src, click_px=click_px)
    return Homography(rows, float(np.sqrt(np.mean(errors ** 2))), float(errors.max()), rms_px,
                      tuple(round(float(r), 3) for r in residuals_px),
                      tuple(tuple(float(c) for c in row) for row in covariance))


def residuals_of(matrix: Sequence[Sequence[float]], image: Sequence[Sequence[float]],
                 plane: Sequence[Sequence[float]]) -> Floats:
    """Each stored mark's picture residual (pixels) under a stored picture → plane matrix."""
    forward = np.linalg.inv(np.asarray(matrix, dtype=np.float64))
    forward = forward / forward[2, 2]
    found: Floats = np.linalg.norm(_project(forward, np.asarray(plane, dtype=np.float64))
                                   - np.asarray(image, dtype=np.float64), axis=1)
    return found


def stored(matrix: Sequence[Sequence[float]], rms_m: float, max_m: float, image: Sequence[Sequence[float]],
           plane: Sequence[Sequence[float]], *, click_px: float = CLICK_PX) -> Homography:
    """A stored calibration as a Homography with its uncertainty recomputed from its marks (rows stored before
    the uncertainty existed read the same way)."""
    rows = tuple((float(r[0]), float(r[1]), float(r[2])) for r in matrix)
    forward = np.linalg.inv(np.asarray(rows, dtype=np.float64))
    forward = forward / forward[2, 2]
    src, dst = np.asarray(image, dtype=np.float64), np.asarray(plane, dtype=np.float64)
    residuals_px = residuals_of(rows, image, plane)
    covariance = uncertainty(forward, dst, src, click_px=click_px)
    return Homography(rows, rms_m, max_m, float(np.sqrt(np.mean(residuals_px ** 2))),
                      tuple(round(float(r), 3) for r in residuals_px),
                      tuple(tuple(float(c) for c in row) for row in covariance))
