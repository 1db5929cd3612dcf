"""What a read says of the vehicle besides its plate: its colour (named in a small fixed palette), its lane (from
lane lines configured per camera) and its direction of travel (towards or away from the camera)."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

import cv2
import numpy as np
import numpy.typing as npt

Image3 = npt.NDArray[np.uint8]
Box = tuple[float, float, float, float]  # x1, y1, x2, y2 as shares (0..1) of the frame
Line = Sequence[Sequence[float]]  # two points (x, y), shares of the frame


class Colour(StrEnum):
    """The palette a vehicle's colour is named in (the words of a wanted-vehicle bulletin; translated in the UI)."""

    WHITE = "white"
    SILVER = "silver"
    GREY = "grey"
    BLACK = "black"
    RED = "red"
    ORANGE = "orange"
    YELLOW = "yellow"
    GREEN = "green"
    BLUE = "blue"
    BROWN = "brown"


# The body is read from the middle of the box: its edges are road, and a front or rear view has glass above and
# the bumper, plate and shadow below.
BODY = (0.15, 0.30, 0.85, 0.70)  # left, top, right, bottom as shares of the box
CLUSTERS = 3
MIN_PIXELS = 64
# Grey levels of OpenCV's 8-bit HSV: saturation under this is achromatic (white, silver, grey, black); a bright
# body in shade or under a blue sky carries a tint, so bright colours need more saturation to count as a hue.
ACHROMATIC_S = 60
ACHROMATIC_S_BRIGHT = 85
DARK_V = 60  # a cluster this dark is glass, tyres or shadow unless it is most of the body (a black car)
DARK_SHARE = 0.6


def _name(hue: float, saturation: float, value: float) -> Colour:
    """The palette's name of one HSV colour (OpenCV ranges: H 0-180, S and V 0-255)."""
    if saturation < (ACHROMATIC_S_BRIGHT if value >= 150 else ACHROMATIC_S) or value < 45:
        if value < 60:
            return Colour.BLACK
        if value < 130:
            return Colour.GREY
        return Colour.SILVER if value < 200 else Colour.WHITE
    if hue < 8 or hue >= 165:
        return Colour.RED if value >= 90 else Colour.BROWN
    if hue < 20:
        return Colour.ORANGE if value >= 150 else Colour.BROWN
    if hue < 34:
        return Colour.YELLOW if value >= 130 else Colour.BROWN
    if hue < 85:
        return Colour.GREEN
    if hue < 135:
        return Colour.BLUE
    return Colour.RED  # purple and magenta cars are rare: the nearest bulletin word


def colour_of(vehicle: Image3) -> Colour | None:
    """The dominant colour of a BGR vehicle crop: the largest of a few colour clusters of its body, robust to
    highlights, glass and the plate; None when the crop is too small to say."""
    height, width = vehicle.shape[:2]
    left, top, right, bottom = (round(BODY[0] * width), round(BODY[1] * height), round(BODY[2] * width),
                                round(BODY[3] * height))
    body = vehicle[top:bottom, left:right]
    if body.shape[0] * body.shape[1] < MIN_PIXELS:
        return None
    step = max(1, int(np.sqrt(body.shape[0] * body.shape[1] / 4000)))  # about 4,000 pixels are plenty
    lab = cv2.cvtColor(np.ascontiguousarray(body[::step, ::step]), cv2.COLOR_BGR2LAB).reshape(-1, 3)
    samples = lab.astype(np.float32)
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 20, 1.0)
    cv2.setRNGSeed(7)  # the same crop always gets the same name
    _, labels, centres = cv2.kmeans(samples, min(CLUSTERS, len(samples)), np.empty(0), criteria, 2,
                                    cv2.KMEANS_PP_CENTERS)
    counts = np.bincount(labels.ravel(), minlength=len(centres)) / len(labels)
    hsv = [tuple(float(v) for v in cv2.cvtColor(cv2.cvtColor(centre.astype(np.uint8).reshape(1, 1, 3),
                                                             cv2.COLOR_LAB2BGR), cv2.COLOR_BGR2HSV)[0, 0])
           for centre in centres]
    order = sorted(range(len(centres)), key=lambda k: -counts[k])
    # The windscreen of a front or rear view is a large dark patch: the body is the largest cluster that is not
    # dark, unless the dark one is most of the picture.
    chosen = order[0]
    if hsv[chosen][2] < DARK_V and counts[chosen] < DARK_SHARE:
        chosen = next((k for k in order[1:] if hsv[k][2] >= DARK_V), chosen)
    hue, saturation, value = hsv[chosen]
    return _name(hue, saturation, value)


def _x_at(line: Line, y: float) -> float:
    (x1, y1), (x2, y2) = (line[0][0], line[0][1]), (line[1][0], line[1][1])
    if abs(y2 - y1) < 1e-9:
        return (x1 + x2) / 2
    return x1 + (x2 - x1) * (y - y1) / (y2 - y1)


def lane_of(box: Box, lines: Sequence[Line]) -> int | None:
    """The lane (1 = leftmost in the picture) of the vehicle's road contact, the bottom centre of its box, against
    the camera's lane lines (each between two lanes); None when the camera has no lane lines."""
    if not lines:
        return None
    x, y = (box[0] + box[2]) / 2, box[3]
    return 1 + sum(1 for line in lines if _x_at(line, y) < x)


def approaching(first: Box, last: Box) -> bool | None:
    """Whether the vehicle came towards the camera (its road contact moved down the picture and its box grew);
    None when it hardly moved."""
    moved = last[3] - first[3]
    grew = (last[2] - last[0]) - (first[2] - first[0])
    if abs(moved) < 0.02 and abs(grew) < 0.02:
        return None
    return moved + grew > 0
