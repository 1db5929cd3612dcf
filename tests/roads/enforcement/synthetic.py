"""Synthetic speed-point geometry shared by the tests and the benchmark: a known homography and tracks at a
known speed with box and frame-time jitter."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

# Road plane (metres: x across, y along the road away from the camera) to image pixels of a 1280x720 camera
# mounted above the road looking down it. Its inverse is what calibration must find.
PLANE_TO_IMAGE = np.array([[40.0, 8.0, 640.0], [0.0, -4.0, 760.0], [0.0, 0.04, 1.0]])
IMAGE_TO_PLANE = np.linalg.inv(PLANE_TO_IMAGE)
CALIBRATION_PLANE = [(-3.5, 5.0), (3.5, 5.0), (-3.5, 40.0), (3.5, 40.0), (0.0, 20.0), (-3.5, 20.0)]
# A surveyed calibration as ADR 0052 asks for at a speed point: both lane edges and the lane line every 5 m over
# the measuring zone (24 marks), what brings the scale error of 2 px clicks under 0.5 %.
SURVEYED_PLANE = [(x, float(y)) for x in (-3.5, 0.0, 3.5) for y in range(5, 41, 5)]


def to_image(points: NDArray[np.float64]) -> NDArray[np.float64]:
    homogeneous = np.c_[points, np.ones(len(points))] @ PLANE_TO_IMAGE.T
    result: NDArray[np.float64] = homogeneous[:, :2] / homogeneous[:, 2:]
    return result


def calibration_pairs(rng: np.random.Generator | None = None, click_px: float = 0.0,
                      marks: list[tuple[float, float]] | None = None
                      ) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """Image and plane points of the calibration marks (the six of CALIBRATION_PLANE unless ``marks`` says);
    ``click_px`` is the officer's click error (sigma)."""
    plane = np.asarray(marks or CALIBRATION_PLANE)
    image = to_image(plane)
    if rng is not None and click_px:
        image = image + rng.normal(0.0, click_px, image.shape)
    return [(p[0], p[1]) for p in image.tolist()], [(p[0], p[1]) for p in plane.tolist()]


def track(speed_kmh: float, rng: np.random.Generator, *, fps: float = 25.0, frames: int = 25,
          box_px: float = 1.5, time_jitter_s: float = 0.004, lane_x: float = 1.75
          ) -> tuple[list[float], list[tuple[float, float, float, float]]]:
    """Capture times (as stamped, with jitter) and boxes of a car driving away at ``speed_kmh``."""
    speed = speed_kmh / 3.6
    true_t = np.arange(frames) / fps
    y = 8.0 + speed * true_t
    feet = to_image(np.c_[np.full(frames, lane_x), y])
    stamped = true_t + rng.normal(0.0, time_jitter_s, frames)
    boxes = []
    for (fx, fy), distance in zip(feet, y, strict=True):
        width = 1.8 * PLANE_TO_IMAGE[0, 0] / (PLANE_TO_IMAGE[2, 1] * distance + 1.0)  # a 1.8 m wide car
        jx, jy = rng.normal(0.0, box_px, 2)
        boxes.append((fx - width / 2 + jx, fy - width * 0.8 + jy, fx + width / 2 + jx, fy + jy))
    return stamped.tolist(), boxes
