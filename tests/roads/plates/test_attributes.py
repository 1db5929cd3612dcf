"""A read's colour, lane and direction of travel."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from qorgau.roads.plates.attributes import Colour, approaching, colour_of, lane_of

# Body colours (BGR) as cameras see painted cars, each with the name a bulletin would give it.
BODIES = [((235, 236, 238), Colour.WHITE), ((165, 165, 168), Colour.SILVER), ((95, 98, 100), Colour.GREY),
          ((22, 22, 25), Colour.BLACK), ((30, 30, 190), Colour.RED), ((20, 120, 235), Colour.ORANGE),
          ((40, 210, 230), Colour.YELLOW), ((50, 140, 40), Colour.GREEN), ((160, 70, 20), Colour.BLUE),
          ((30, 60, 100), Colour.BROWN)]


def _car(body: tuple[int, int, int], seed: int = 0) -> np.ndarray:
    """A front view: road around it, dark glass above, the body with a highlight, a plate and shadow below."""
    rng = np.random.default_rng(seed)
    car = np.full((150, 200, 3), (120, 122, 125), np.uint8)  # the road at the box's edges
    cv2.rectangle(car, (20, 10), (180, 140), body, -1)
    cv2.rectangle(car, (35, 15), (165, 55), (35, 30, 30), -1)  # windscreen
    cv2.rectangle(car, (80, 100), (120, 112), (240, 240, 240), -1)  # plate
    cv2.ellipse(car, (100, 75), (30, 6), 0, 0, 360, tuple(min(255, c + 60) for c in body), -1)  # highlight
    noisy = car.astype(np.int16) + rng.normal(0, 4, car.shape).astype(np.int16)
    return np.clip(noisy, 0, 255).astype(np.uint8)


@pytest.mark.parametrize(("body", "name"), BODIES)
def test_the_body_colour_is_named_in_the_palette(body: tuple[int, int, int], name: Colour) -> None:
    assert colour_of(_car(body)) is name


def test_colour_is_stable_and_darkness_shifts_only_the_achromatic_names() -> None:
    assert {colour_of(_car((30, 30, 190), seed)) for seed in range(5)} == {Colour.RED}
    dim = (_car((30, 30, 190)).astype(np.float32) * 0.6).astype(np.uint8)  # evening light: still red
    assert colour_of(dim) is Colour.RED


def test_a_tiny_crop_has_no_colour() -> None:
    assert colour_of(np.zeros((6, 6, 3), np.uint8)) is None


def test_lane_is_counted_from_the_left_against_the_camera_lines() -> None:
    # Two lines between three lanes converging to the top (perspective).
    lines = [[[0.40, 0.2], [0.30, 1.0]], [[0.55, 0.2], [0.65, 1.0]]]
    assert lane_of((0.05, 0.6, 0.25, 0.9), lines) == 1
    assert lane_of((0.35, 0.6, 0.55, 0.9), lines) == 2
    assert lane_of((0.70, 0.6, 0.95, 0.9), lines) == 3
    # Where a line slants, the box's road contact (bottom centre) decides, not its centre.
    assert lane_of((0.28, 0.10, 0.36, 0.95), [[[0.2, 0.0], [0.4, 1.0]]]) == 1
    assert lane_of((0.1, 0.1, 0.2, 0.2), []) is None


def test_approaching_from_the_track_boxes() -> None:
    far, near = (0.4, 0.1, 0.5, 0.2), (0.35, 0.5, 0.6, 0.8)
    assert approaching(far, near) is True
    assert approaching(near, far) is False
    assert approaching(near, (0.351, 0.501, 0.601, 0.801)) is None
