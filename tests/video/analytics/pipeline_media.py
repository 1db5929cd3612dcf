"""Test input for the analytics pipeline: the shared road clip as H.264, a still clip of the empty road made from
it, and a detector of moving vehicles by difference from the clip's median background (a real detector for a
fixed camera, deterministic, standing in until the ONNX model is set up on the machine)."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np
import numpy.typing as npt

from qorgau.video.analytics.contracts import Detection, PixelBox
from tests.video.rec_packets import make_h264

SMALLEST = 1500  # pixels of a 640×360 frame: a car at the far end of the road is larger


def road_clip(folder: Path, seconds: float = 12.4) -> Path:
    """The road clip as H.264 MP4, 30 fps, a key frame every second, no B-frames."""
    return make_h264(folder / "road.mp4", seconds=seconds, gop=30)


def median_background(clip: Path) -> npt.NDArray[np.uint8]:
    """The clip's empty road: the median of every tenth frame (vehicles pass, the road stays)."""
    with av.open(str(clip)) as container:
        frames: list[Any] = [f.to_ndarray(format="bgr24")
                             for i, f in enumerate(container.decode(video=0)) if i % 10 == 0]
    return np.asarray(np.median(np.stack(frames), axis=0), dtype=np.uint8)


def still_clip(folder: Path, picture: npt.NDArray[np.uint8], seconds: float = 4.0) -> Path:
    """An H.264 MP4 of one picture repeated (a camera watching an empty scene)."""
    png = folder / "still.png"
    cv2.imwrite(str(png), picture)
    target = folder / "still.mp4"
    subprocess.run(["/usr/bin/ffmpeg", "-v", "error", "-y", "-loop", "1", "-i", str(png), "-t", str(seconds),
                    "-r", "25", "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-bf", "0", "-pix_fmt",
                    "yuv420p", str(target)], check=True, timeout=60)
    return target


class BlobDetector:
    """Implements ``contracts.Detector``: blobs that differ from the background, as cars."""

    name = "blob-test"

    def __init__(self, background: npt.NDArray[np.uint8]) -> None:
        self.background = cv2.GaussianBlur(cv2.cvtColor(background, cv2.COLOR_BGR2GRAY), (5, 5), 0)
        self.calls: list[Sequence[PixelBox] | None] = []

    def detect(self, frame_bgr: npt.NDArray[np.uint8], regions: Sequence[PixelBox] | None = None,
               camera: str | None = None) -> list[Detection]:
        self.calls.append(regions)
        grey = cv2.GaussianBlur(cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2GRAY), (5, 5), 0)
        if grey.shape != self.background.shape:
            return []
        _, mask = cv2.threshold(cv2.absdiff(grey, self.background), 30, 255, cv2.THRESH_BINARY)
        mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
        height, width = grey.shape
        found = []
        for contour in cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)[0]:
            x, y, w, h = cv2.boundingRect(contour)
            if w * h >= SMALLEST:
                found.append(Detection("car", 0.9, (x / width, y / height, (x + w) / width, (y + h) / height)))
        return found


class Collect:
    """A ``FrameConsumer`` that keeps what it gets (the frames as small copies)."""

    def __init__(self, worker: Any = None, delay_s: float = 0.0) -> None:
        self.frames: list[Any] = []
        self.shapes: list[tuple[int, ...]] = []
        self.delay_s = delay_s
        self.closed = False

    def frame(self, analysed: Any, bgr: npt.NDArray[np.uint8]) -> None:
        import time

        self.frames.append(analysed)
        self.shapes.append(bgr.shape)
        if self.delay_s:
            time.sleep(self.delay_s)

    def close(self) -> None:
        self.closed = True


class SlowCollect(Collect):
    """A consumer slower than the stream (50 ms a frame): the analysis falls behind."""

    def __init__(self, worker: Any = None) -> None:
        super().__init__(worker, delay_s=0.05)
