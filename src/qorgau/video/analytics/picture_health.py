"""Camera health from the picture: frozen, covered or dark, defocused, moved away from its reference view.

Pure and cheap: OpenCV and numpy on one decoded BGR frame every few seconds per camera, no database, no threads
(the feature in ``picture_feature`` feeds it and reports). Every check is judged on a small grey copy, so a
check costs a few milliseconds whatever the stream's size.

Night with infrared is not tampering: a camera switching to IR turns grey (chroma near 0) and its brightness
steps. So no check reads colour or absolute brightness against the reference: sharpness is normalised by the
picture's own contrast and kept per mode (day / night), and the view is compared by ORB features, which compare
intensities within a patch and survive a change of gain. Only "covered or dark" reads brightness, and only
together with the absence of detail, which an IR picture keeps.

Each problem has hysteresis: it must last ``raise_after_s`` before it is reported and be gone ``clear_after_s``
before it is cleared, so a truck passing in front of the lens or an auto-focus hunt does not flap.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

Image = npt.NDArray[np.uint8]
SMALL_WIDTH = 320  # brightness, detail, frozen and the view are judged at this width
SHARP_WIDTH = 640  # sharpness needs finer detail: a blur of 2 px at 640 is half a pixel at 320
# Mean chroma (|Cr-128| + |Cb-128|) below this: a grey (IR night) picture. The IR scene clip has 0-1.4 after
# H.264, the dullest day clip (the road) 2.9-5.7. Not HSV saturation: on dark pixels a chroma step of 1 is 100 %.
GREY_CHROMA = 2.0


class Problem(StrEnum):
    """What can be wrong with a camera's picture (the reason of its degraded health)."""

    FROZEN = "frozen"
    COVERED = "covered"
    DEFOCUSED = "defocused"
    MOVED = "moved"


@dataclass(frozen=True, slots=True)
class Limits:
    """Thresholds of the checks; the defaults were set on the real clips (see the tests and ADR 0029)."""

    frozen_share: float = 0.0005  # share of pixels changed (by > 2 grey levels) between checks below which the
    # picture is frozen; live clips change 10 % or more in 2 s, and a decoded repeat of one frame changes 0
    dark_brightness: float = 35.0  # mean grey below this, with little detail: covered or dark
    flat_detail: float = 12.0  # grey standard deviation below which a dark picture has no detail
    uniform_entropy: float = 2.5  # bits: below this the picture is one uniform surface, whatever its brightness
    defocus_ratio: float = 0.35  # sharpness below this share of the reference's (same mode) ...
    defocus_blur: float = 0.2  # ... and the blur measure this much above the reference's: defocused
    moved_shift: float = 0.06  # the view shifted by more than this share of the width: moved
    moved_scale: float = 0.15  # or zoomed by more than this
    moved_angle_deg: float = 6.0  # or turned by more than this
    min_matches: int = 15  # fewer feature matches with the reference than this: another view
    raise_after_s: float = 20.0
    clear_after_s: float = 30.0
    learn_after_s: float = 300.0  # a reference is learned after this long of good picture


@dataclass(frozen=True, slots=True)
class Measures:
    """What one frame looks like, in the numbers the checks use."""

    brightness: float  # mean grey 0..255
    detail: float  # grey standard deviation
    entropy: float  # bits of the grey histogram
    chroma: float  # mean |Cr-128| + |Cb-128|: 0 for a grey picture
    sharpness: float  # variance of the Laplacian over the grey variance (contrast-free)
    blur: float  # 0 sharp .. 1 blurred, whatever the scene (see ``blur_measure``)

    @property
    def grey(self) -> bool:
        """Whether the picture has no colour (a camera in IR night mode)."""
        return self.chroma < GREY_CHROMA

    @property
    def mode(self) -> str:
        """'night' for a grey picture, else 'day': sharpness references are kept per mode."""
        return "night" if self.grey else "day"


def _resized(image: Image, width: int) -> Image:
    height = max(1, round(image.shape[0] * width / image.shape[1]))
    interpolation = cv2.INTER_AREA if image.shape[1] > width else cv2.INTER_LINEAR
    return np.asarray(cv2.resize(image, (width, height), interpolation=interpolation), dtype=np.uint8)


def blur_measure(grey: Image) -> float:
    """No-reference blur (Crété-Roffet et al., 2007): the share of neighbour differences a strong re-blur leaves.

    The Laplacian's sharpness differs tenfold between scenes, so a picture of another scene can look "defocused"
    against the reference. This measure is 0.25-0.48 on the sharp clips (the highway's, upscaled from 320 px, is the
    blurriest) and rises by 0.29-0.36 under a Gaussian blur of 3 px, 0.2-0.3 under 1.5 px.
    """
    image = grey.astype(np.float32)
    worst = 0.0
    for axis, kernel in ((0, (1, 9)), (1, (9, 1))):  # vertical, horizontal (OpenCV sizes are width, height)
        reblurred = cv2.blur(image, kernel)
        sharp_steps = np.abs(np.diff(image, axis=axis))
        blurred_steps = np.abs(np.diff(reblurred, axis=axis))
        total = float(sharp_steps.sum())
        lost = float(np.maximum(0.0, sharp_steps - blurred_steps).sum())
        worst = max(worst, (total - lost) / max(total, 1e-6))
    return worst


def measure(frame_bgr: Image) -> tuple[Measures, Image, Image]:
    """The frame's measures, its small grey copy (for the view) and its grey copy at ``SHARP_WIDTH`` (frozen)."""
    sharp_bgr = _resized(frame_bgr, SHARP_WIDTH) if frame_bgr.shape[1] != SHARP_WIDTH else frame_bgr
    sharp_grey = np.asarray(cv2.cvtColor(sharp_bgr, cv2.COLOR_BGR2GRAY), dtype=np.uint8)
    small_bgr = _resized(sharp_bgr, SMALL_WIDTH)
    small = np.asarray(cv2.cvtColor(small_bgr, cv2.COLOR_BGR2GRAY), dtype=np.uint8)
    ycrcb = cv2.cvtColor(small_bgr, cv2.COLOR_BGR2YCrCb)[:, :, 1:].astype(np.int16)
    chroma = float(np.abs(ycrcb - 128).mean() * 2)
    histogram = np.bincount(small.ravel(), minlength=256).astype(np.float64)
    p = histogram[histogram > 0] / small.size
    entropy = float(-(p * np.log2(p)).sum())
    variance = float(sharp_grey.var())
    laplacian = float(cv2.Laplacian(sharp_grey, cv2.CV_64F).var())
    return Measures(brightness=float(small.mean()), detail=math.sqrt(float(small.var())), entropy=entropy,
                    chroma=chroma, sharpness=laplacian / (variance + 1.0), blur=blur_measure(sharp_grey)
                    ), small, sharp_grey


def covered(m: Measures, limits: Limits) -> bool:
    """Covered or dark: dark without detail, or one uniform surface (a hand, tape, a cap, a sprayed lens)."""
    dark = m.brightness < limits.dark_brightness and m.detail < limits.flat_detail
    return dark or m.entropy < limits.uniform_entropy


def frozen(grey: Image, previous: Image | None, limits: Limits) -> bool:
    """Identical to the previous check's frame while the stream delivers: a hung encoder repeating one frame.
    Live video always differs somewhere between checks seconds apart (sensor noise, each key frame's new
    quantisation), however still the scene; consecutive frames of a static scene may not, so checks are spaced."""
    if previous is None or previous.shape != grey.shape:
        return False
    changed = int(np.count_nonzero(cv2.absdiff(grey, previous) > 2))
    return changed < limits.frozen_share * grey.size


_ORB = cv2.ORB_create(nfeatures=500)  # type: ignore[attr-defined]  # missing from the stubs
_MATCHER = cv2.BFMatcher(cv2.NORM_HAMMING, crossCheck=True)


@dataclass(slots=True)
class Features:
    """ORB key points of a small grey frame."""

    points: npt.NDArray[np.float32]
    descriptors: Image | None

    @classmethod
    def of(cls, small: Image) -> Features:
        """Key points and descriptors on the contrast-equalised frame (gain steps do not move them)."""
        equalised = cv2.equalizeHist(small)
        keypoints, descriptors = _ORB.detectAndCompute(equalised, None)
        points = np.array([k.pt for k in keypoints], dtype=np.float32).reshape(-1, 2)
        return cls(points=points, descriptors=descriptors)


@dataclass(frozen=True, slots=True)
class ViewChange:
    """How the current view relates to the reference: None shift when they could not be matched."""

    matches: int
    shift: float | None = None  # share of the width
    scale: float | None = None
    angle_deg: float | None = None


def compare_view(reference: Features, current: Features, width: int) -> ViewChange:
    """Match the current frame's features to the reference's and fit a similarity transform (RANSAC)."""
    if reference.descriptors is None or current.descriptors is None:
        return ViewChange(matches=0)
    matches = _MATCHER.match(reference.descriptors, current.descriptors)
    if len(matches) < 4:
        return ViewChange(matches=len(matches))
    source = reference.points[[m.queryIdx for m in matches]]
    target = current.points[[m.trainIdx for m in matches]]
    transform, inliers = cv2.estimateAffinePartial2D(source, target, method=cv2.RANSAC, ransacReprojThreshold=3.0)
    count = int(inliers.sum()) if inliers is not None else 0
    if transform is None:
        return ViewChange(matches=count)
    a, b, tx, ty = float(transform[0, 0]), float(transform[1, 0]), float(transform[0, 2]), float(transform[1, 2])
    return ViewChange(matches=count, shift=math.hypot(tx, ty) / width, scale=math.hypot(a, b),
                      angle_deg=math.degrees(math.atan2(b, a)))


def moved(change: ViewChange, limits: Limits) -> bool:
    """Another view than the reference: too few matches, or shifted, zoomed or turned beyond the limits."""
    if change.matches < limits.min_matches or change.shift is None:
        return True
    return (change.shift > limits.moved_shift or abs((change.scale or 1.0) - 1.0) > limits.moved_scale
            or abs(change.angle_deg or 0.0) > limits.moved_angle_deg)


@dataclass(slots=True)
class Reference:
    """A camera's reference view: a small grey frame, and its sharpness and blur per mode ('day', 'night')."""

    grey: Image
    sharpness: dict[str, float] = field(default_factory=dict)
    blur: dict[str, float] = field(default_factory=dict)
    _features: Features | None = None

    @property
    def features(self) -> Features:
        """The reference's ORB features, computed once."""
        if self._features is None:
            self._features = Features.of(self.grey)
        return self._features

    def to_png(self) -> bytes:
        """The grey frame as PNG bytes, for storing."""
        ok, encoded = cv2.imencode(".png", self.grey)
        if not ok:
            raise ValueError("the reference frame could not be encoded")
        return bytes(encoded.tobytes())

    @classmethod
    def from_png(cls, data: bytes, sharpness: dict[str, float], blur: dict[str, float]) -> Reference:
        """A stored reference back."""
        grey = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_GRAYSCALE)
        if grey is None:
            raise ValueError("the stored reference frame is not a PNG image")
        return cls(grey=np.asarray(grey, dtype=np.uint8), sharpness=dict(sharpness), blur=dict(blur))


class Hysteresis:
    """A problem reported once it has lasted ``raise_after_s`` and cleared once gone for ``clear_after_s``."""

    def __init__(self, raise_after_s: float, clear_after_s: float) -> None:
        self.raise_after_s, self.clear_after_s = raise_after_s, clear_after_s
        self.active = False
        self._since: float | None = None  # when the raw state began to differ from the reported one

    def update(self, bad: bool | None, now: float) -> bool:
        """Feed one observation (None: no evidence either way); returns whether the reported state changed."""
        if bad is None:
            return False
        if bad == self.active:
            self._since = None
            return False
        if self._since is None:
            self._since = now
        if now - self._since >= (self.clear_after_s if self.active else self.raise_after_s):
            self.active, self._since = bad, None
            return True
        return False


@dataclass(frozen=True, slots=True)
class Outcome:
    """One check of one frame: the problems raised and cleared by it, and a reference learned by it."""

    raised: tuple[Problem, ...] = ()
    cleared: tuple[Problem, ...] = ()
    learned: bool = False  # the reference (or the sharpness of a new mode) was learned at this check
    measures: Measures | None = None
    details: dict[str, Any] = field(default_factory=dict)


class PictureWatch:
    """One camera's picture checks with their hysteresis and its reference (learned when absent)."""

    def __init__(self, limits: Limits | None = None, reference: Reference | None = None) -> None:
        self.limits = limits or Limits()
        self.reference = reference
        self.states = {p: Hysteresis(self.limits.raise_after_s, self.limits.clear_after_s) for p in Problem}
        self._previous: Image | None = None
        self._previous_mode: str | None = None
        self._good_since: float | None = None  # start of the current run of good checks (for learning)
        self._samples: list[tuple[float, float]] = []  # their sharpness and blur: a reference takes the medians
        # (the sharpness varies threefold within one clip)

    @property
    def active(self) -> frozenset[Problem]:
        """The problems reported now."""
        return frozenset(p for p, state in self.states.items() if state.active)

    def forget_reference(self) -> tuple[Problem, ...]:
        """An admin reset the reference: learn it again; a 'moved' or 'defocused' judged against the old one
        is cleared at once (returned)."""
        self.reference, self._good_since, self._samples = None, None, []
        cleared = tuple(p for p in (Problem.MOVED, Problem.DEFOCUSED) if self.states[p].active)
        for problem in (Problem.MOVED, Problem.DEFOCUSED):
            self.states[problem] = Hysteresis(self.limits.raise_after_s, self.limits.clear_after_s)
        return cleared

    def check(self, frame_bgr: Image, now: float) -> Outcome:
        """Judge one frame taken at monotonic time ``now``."""
        m, small, fine = measure(frame_bgr)
        limits, details = self.limits, {}
        is_covered = covered(m, limits)
        is_frozen = None if is_covered else frozen(fine, self._previous, limits)
        mode_switched = self._previous_mode is not None and self._previous_mode != m.mode
        self._previous, self._previous_mode = fine, m.mode
        is_moved: bool | None = None
        is_defocused: bool | None = None
        reference = self.reference
        if reference is not None and not is_covered:
            wanted, blur = reference.sharpness.get(m.mode), reference.blur.get(m.mode)
            if wanted is not None and blur is not None and not mode_switched:
                is_defocused = m.sharpness < limits.defocus_ratio * wanted and m.blur > blur + limits.defocus_blur
            if not is_defocused:  # a blur wipes out the features too: no evidence of a move then
                change = compare_view(reference.features, Features.of(small), SMALL_WIDTH)
                details["view"] = change
                is_moved = moved(change, limits)
        raised: list[Problem] = []
        cleared: list[Problem] = []
        for problem, bad in ((Problem.COVERED, is_covered), (Problem.FROZEN, is_frozen),
                             (Problem.MOVED, is_moved), (Problem.DEFOCUSED, is_defocused)):
            if self.states[problem].update(bad, now):
                (raised if self.states[problem].active else cleared).append(problem)
        learned = self._learn(m, small, now, good=not (is_covered or is_frozen or is_moved or is_defocused
                                                        or self.active or mode_switched))
        return Outcome(raised=tuple(raised), cleared=tuple(cleared), learned=learned, measures=m, details=details)

    def _learn(self, m: Measures, small: Image, now: float, *, good: bool) -> bool:
        """Learn the reference (or this mode's sharpness) after ``learn_after_s`` of good picture."""
        if not good:
            self._good_since, self._samples = None, []
            return False
        if self._good_since is None:
            self._good_since = now
        self._samples = [*self._samples[-63:], (m.sharpness, m.blur)]
        if now - self._good_since < self.limits.learn_after_s:
            return False
        sharpness, blur = (float(v) for v in np.median(np.array(self._samples), axis=0))
        if self.reference is None:
            self.reference = Reference(grey=small.copy(), sharpness={m.mode: sharpness}, blur={m.mode: blur})
            return True
        if m.mode not in self.reference.sharpness:
            self.reference.sharpness[m.mode], self.reference.blur[m.mode] = sharpness, blur
            return True
        return False
