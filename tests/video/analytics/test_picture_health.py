"""Picture health on the real clips: frozen, covered, defocused and moved are reported after their hysteresis and
cleared after it; the normal clips and a night/IR switch (grey, brightness step) raise nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
import pytest

from qorgau.video.analytics.picture_health import Limits, PictureWatch, Problem, Reference, measure
from tests.conftest import SHARED

Frame = npt.NDArray[np.uint8]
VIDEO = SHARED / "data" / "video"
SIMULATOR = Path(__file__).parents[3] / "src/qorgau/simulator/video/clips"
CLIPS = {
    "road": VIDEO / "road-640x360.avi",
    "highway": VIDEO / "highway-cctv.avi",
    # vtest.avi (pedestrians) as bundled with the simulator, first 30 s
    "pedestrians": SIMULATOR / "pedestrians-sub.mp4",
    # The live model's scenes, each composed from the clip its cameras show by day (compose_scenes.py).
    "scene-yard-night": SIMULATOR / "scene-yard-night-sub.mp4",
    "scene-crowd": SIMULATOR / "scene-crowd-sub.mp4",
    "scene-stopped-car": SIMULATOR / "scene-stopped-car-sub.mp4",
    "scene-covered": SIMULATOR / "scene-covered-sub.mp4",
    "road-sub": SIMULATOR / "road-sub.mp4",
}
REAL = ("road", "highway", "pedestrians")
STEP_S = 2.0  # virtual seconds between checks
LIMITS = Limits(raise_after_s=6.0, clear_after_s=6.0, learn_after_s=10.0)


@cache
def frames(name: str) -> tuple[Frame, ...]:
    """One frame per second of the clip (checks are seconds apart in the feature too)."""
    capture = cv2.VideoCapture(str(CLIPS[name]))
    fps = capture.get(cv2.CAP_PROP_FPS) or 25.0
    out: list[Frame] = []
    index = 0
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        if index % round(fps) == 0:
            out.append(np.asarray(frame, dtype=np.uint8))
        index += 1
    capture.release()
    assert len(out) >= 5, name
    return tuple(out)


class Clock:
    """Feeds frames to a watch at STEP_S apart and collects what it raised and cleared."""

    def __init__(self, watch: PictureWatch) -> None:
        self.watch, self.now = watch, 0.0
        self.raised: list[Problem] = []
        self.cleared: list[Problem] = []

    def feed(self, stream: Iterable[Frame]) -> None:
        for frame in stream:
            outcome = self.watch.check(frame, self.now)
            self.raised += outcome.raised
            self.cleared += outcome.cleared
            self.now += STEP_S


def looped(name: str, count: int, start: int = 0, change: Callable[[Frame], Frame] | None = None) -> list[Frame]:
    clip = frames(name)
    chosen = [clip[(start + i) % len(clip)] for i in range(count)]
    return [change(f) if change else f for f in chosen]


def learned(name: str) -> Clock:
    """A watch that has learned its reference on the clip's first checks."""
    clock = Clock(PictureWatch(LIMITS))
    clock.feed(looped(name, 8))
    assert clock.watch.reference is not None, "reference learned after learn_after_s of good picture"
    return clock


def grey(brightness: float, offset: float = 0.0) -> Callable[[Frame], Frame]:
    def change(frame: Frame) -> Frame:
        g = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY).astype(np.float32) * brightness + offset
        return np.asarray(cv2.cvtColor(np.clip(g, 0, 255).astype(np.uint8), cv2.COLOR_GRAY2BGR), dtype=np.uint8)
    return change


def shifted(frame: Frame) -> Frame:
    """Turned away: the view shifts by whole pixels (a sub-pixel warp would blur it too)."""
    h, w = frame.shape[:2]
    move = np.array([[1, 0, w // 8], [0, 1, h // 16]], dtype=np.float32)
    return np.asarray(cv2.warpAffine(frame, move, (w, h), borderMode=cv2.BORDER_REFLECT), dtype=np.uint8)


def covered(level: int) -> Callable[[Frame], Frame]:
    rng = np.random.default_rng(level)
    return lambda frame: np.clip(level + rng.normal(0, 2, frame.shape), 0, 255).astype(np.uint8)


@pytest.mark.parametrize("name", REAL)
def test_normal_clip_and_night_switch_raise_nothing(name: str) -> None:
    clock = learned(name)
    clock.feed(looped(name, 25, start=8))
    clock.feed(looped(name, 12, start=3, change=grey(0.55)))  # IR on: grey, darker
    clock.feed(looped(name, 12, start=5, change=grey(1.3, 15)))  # IR gain up
    clock.feed(looped(name, 8, start=2))  # day again
    assert clock.raised == [], f"{name}: false alarm"
    assert set(clock.watch.reference.sharpness) == {"day", "night"}  # type: ignore[union-attr]


@pytest.mark.parametrize("name", REAL)
def test_frozen_picture_raised_then_cleared(name: str) -> None:
    clock = learned(name)
    clock.feed([frames(name)[4]] * 6)
    assert clock.raised == [Problem.FROZEN]
    clock.feed(looped(name, 6, start=5))
    assert clock.cleared == [Problem.FROZEN]
    assert clock.watch.active == frozenset()


@pytest.mark.parametrize(("name", "level"), [("road", 6), ("highway", 180), ("pedestrians", 20)])
def test_covered_or_dark_raised_alone(name: str, level: int) -> None:
    clock = learned(name)
    clock.feed(looped(name, 6, start=2, change=covered(level)))
    assert clock.raised == [Problem.COVERED]  # not also frozen or moved: a covered picture says nothing of them
    clock.feed(looped(name, 6, start=4))
    assert clock.cleared == [Problem.COVERED]


def blurred(frame: Frame) -> Frame:
    return np.asarray(cv2.GaussianBlur(frame, (0, 0), 3.0), dtype=np.uint8)


@pytest.mark.parametrize("name", REAL)
def test_defocused_is_not_moved(name: str) -> None:
    clock = learned(name)
    clock.feed(looped(name, 6, start=9, change=blurred))
    assert clock.raised == [Problem.DEFOCUSED]


@pytest.mark.parametrize(("name", "other"), [("road", "highway"), ("highway", "pedestrians"), ("pedestrians", "road")])
def test_moved_by_shift_or_to_another_view(name: str, other: str) -> None:
    clock = learned(name)
    clock.feed(looped(name, 6, start=3, change=shifted))
    assert clock.raised == [Problem.MOVED]
    clock.feed(looped(name, 6, start=6))
    assert clock.cleared == [Problem.MOVED]
    clock.feed(looped(other, 6))
    assert clock.raised == [Problem.MOVED, Problem.MOVED]


def test_brief_cover_does_not_flap_and_reset_relearns() -> None:
    clock = learned("road")
    clock.feed(looped("road", 2, change=covered(5)))  # a truck in front of the lens for 4 s
    clock.feed(looped("road", 6, start=3))
    assert clock.raised == []
    clock.feed(looped("road", 6, change=shifted))
    assert clock.watch.forget_reference() == (Problem.MOVED,)
    clock.feed(looped("road", 8, change=shifted))  # the new view becomes the reference
    assert clock.watch.reference is not None and clock.raised == [Problem.MOVED]


def test_reference_survives_png() -> None:
    _, small, _ = measure(frames("highway")[0])
    reference = Reference.from_png(Reference(grey=small).to_png(), {"day": 0.5}, {"day": 0.7})
    assert np.array_equal(reference.grey, small)
    assert (reference.sharpness, reference.blur) == ({"day": 0.5}, {"day": 0.7})


@pytest.mark.parametrize(("day", "scene", "expected"), [
    ("pedestrians", "scene-yard-night", []), ("pedestrians", "scene-crowd", []),
    ("road-sub", "scene-stopped-car", []), ("road-sub", "scene-covered", [Problem.COVERED])])
def test_the_live_models_scenes_are_their_cameras_own_view(day: str, scene: str, expected: list[Problem]) -> None:
    clock = learned(day)
    clock.feed(looped(scene, 20))
    assert clock.raised == expected
    if scene == "scene-yard-night":
        assert set(clock.watch.reference.sharpness) == {"day", "night"}  # type: ignore[union-attr]
