"""Compose the scenario clips (``clips/scene-*``) from the real footage: a yard at night with persons, a crowd, a
car that stops at a city entry, a covered lens. Run once by hand (see ``clips/SOURCES.md``); the results are
committed, nothing is composed at run time.

    python -m qorgau.simulator.video.compose_scenes --road ROAD.avi --vtest vtest.avi --out clips/

Each scene becomes ``scene-NAME-main.mp4`` (1280×720) and ``scene-NAME-sub.mp4`` (640×360), encoded like the
other clips (H.264 Main, no B-frames, a key frame every second), so the RTSP server serves them the same way.
"""

from __future__ import annotations

import argparse
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

Image = npt.NDArray[np.uint8]
SIZES = {"main": ((1280, 720), 35), "sub": ((640, 360), 32)}  # (size, crf) as the other clips


def read(path: Path, start: int = 0, count: int | None = None) -> list[Image]:
    """Frames ``start`` .. ``start + count`` of a clip."""
    capture = cv2.VideoCapture(str(path))
    capture.set(cv2.CAP_PROP_POS_FRAMES, start)
    frames: list[Image] = []
    while count is None or len(frames) < count:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(np.asarray(frame, dtype=np.uint8))
    capture.release()
    return frames


def letterbox(frame: Image, size: tuple[int, int]) -> Image:
    """Scaled to fit ``size`` and padded, never cropped or stretched (as the other clips)."""
    width, height = size
    scale = min(width / frame.shape[1], height / frame.shape[0])
    scaled = cv2.resize(frame, (round(frame.shape[1] * scale), round(frame.shape[0] * scale)),
                        interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    out = np.zeros((height, width, 3), dtype=np.uint8)
    top, left = (height - scaled.shape[0]) // 2, (width - scaled.shape[1]) // 2
    out[top:top + scaled.shape[0], left:left + scaled.shape[1]] = scaled
    return out


def encode(frames: list[Image], fps: int, target: Path, size: tuple[int, int], crf: int) -> None:
    """Raw frames through ffmpeg's libx264, as the other clips are encoded."""
    command = ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "bgr24", "-s",
               f"{size[0]}x{size[1]}", "-r", str(fps), "-i", "-", "-an", "-c:v", "libx264", "-preset", "veryfast",
               "-crf", str(crf), "-profile:v", "main", "-pix_fmt", "yuv420p", "-g", str(fps), "-bf", "0",
               "-movflags", "+faststart", str(target)]
    with subprocess.Popen(command, stdin=subprocess.PIPE) as process:  # noqa: S603 - our own argument list
        if process.stdin is None:
            raise SystemExit("ffmpeg has no input pipe")
        for frame in frames:  # streamed: a main stream's raw frames would take a gigabyte
            process.stdin.write(letterbox(frame, size).tobytes())
        process.stdin.close()
        if process.wait() != 0:
            raise SystemExit(f"ffmpeg failed on {target}")


def night(frames: list[Image]) -> Iterator[Image]:
    """An IR night picture: grey, darker, a little noisy."""
    rng = np.random.default_rng(7)
    for frame in frames:
        grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY).astype(np.float32) * 0.55 + 8
        grey += rng.normal(0, 3, grey.shape)
        out = np.clip(grey, 0, 255).astype(np.uint8)
        yield np.asarray(cv2.cvtColor(out, cv2.COLOR_GRAY2BGR), dtype=np.uint8)


def crowd(first: list[Image], second: list[Image]) -> Iterator[Image]:
    """Two stretches of the pedestrians clip in one picture: the darker pixel of each, so both stretches' walkers
    (darker than the paving) show: twice the persons."""
    for a, b in zip(first, second, strict=False):
        yield np.minimum(a, b)


def stopped_car(frames: list[Image], stop_at: int, loops: int) -> Iterator[Image]:
    """From ``stop_at`` on, the largest vehicle then in view stays where it was while the traffic goes on, for the
    rest of the clip and ``loops`` more passes of it (a stopped-vehicle rule waits 30 s or more)."""
    background = np.median(np.stack(frames[::6]), axis=0).astype(np.uint8)
    held = frames[stop_at]
    moving = cv2.absdiff(cv2.cvtColor(held, cv2.COLOR_BGR2GRAY), cv2.cvtColor(background, cv2.COLOR_BGR2GRAY))
    mask = cv2.morphologyEx((moving > 30).astype(np.uint8), cv2.MORPH_CLOSE, np.ones((7, 7), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask)
    if count < 2:
        raise SystemExit("no vehicle in view at the stop frame")
    car = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    # A feathered edge: a hard one leaves a halo of the lane as it was at the stop frame.
    alpha = cv2.GaussianBlur(cv2.dilate((labels == car).astype(np.float32), np.ones((3, 3), np.uint8)), (0, 0), 2)
    alpha = alpha[:, :, None]
    yield from frames[:stop_at]
    for frame in frames[stop_at:] + frames * loops:
        yield (held * alpha + frame * (1 - alpha)).astype(np.uint8)


def covered(count: int) -> Iterator[Image]:
    """A lens under a hand or tape: nearly black, a faint uneven glow."""
    rng = np.random.default_rng(3)
    glow = cv2.GaussianBlur(rng.uniform(4, 14, (360, 640)).astype(np.float32), (0, 0), 40)
    for _ in range(count):
        grey = np.clip(glow + rng.normal(0, 1.0, glow.shape), 0, 255).astype(np.uint8)
        yield np.asarray(cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR), dtype=np.uint8)


def main() -> None:
    """Compose every scene and write its two streams."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--road", type=Path, required=True, help="road-640x360.avi (30 fps)")
    parser.add_argument("--vtest", type=Path, required=True, help="OpenCV's vtest.avi (10 fps)")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    scenes: dict[str, tuple[Callable[[], Iterator[Image]], int, int]] = {  # make, fps, crf added
        "yard-night": (lambda: night(read(args.vtest, 0, 100)), 10, 0),
        "crowd": (lambda: crowd(read(args.vtest, 0, 100), read(args.vtest, 400, 100)), 10, 0),
        # The car drives in for 5 s and stands for 45 s; 10 fps (the analysis reads 5) and a coarser quantiser
        # keep the 50 s small.
        "stopped-car": (lambda: stopped_car(read(args.road)[::3], stop_at=50, loops=3), 10, 7),
        "covered": (lambda: covered(50), 10, 0),
    }
    for name, (make, fps, coarser) in scenes.items():
        frames = list(make())
        for stream, (size, crf) in SIZES.items():
            encode(frames, fps, args.out / f"scene-{name}-{stream}.mp4", size, crf + coarser)
        print(f"scene-{name}: {len(frames)} frames at {fps} fps")


if __name__ == "__main__":
    main()
