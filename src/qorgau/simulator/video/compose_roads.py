"""Compose the roads' cameras clips (``clips/roads-*``, ``clips/scene-wanted-car-*``): the real traffic of
``road-3lane.avi`` with a synthetic Kazakh plate on the front of every vehicle. Run once by hand (see
``clips/SOURCES.md``); the results are committed, nothing is composed at run time.

    python -m qorgau.simulator.video.compose_roads --road3 road-3lane.avi --out clips/

The vehicles are found with the video analytics' own detector and tracker, so a plate follows the box the
pipeline will see; each track gets one plate text (``PLATES``), drawn by `qorgau.roads.plates.render` (the 2012
layout) and pasted where the real plate is, scaled with the vehicle. The source is cropped to its two near lanes
(an ANPR camera is zoomed on the lane it reads) and scaled up; the plates are pasted after the scaling, so they
are as sharp as a real plate filmed by a camera of that resolution.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from qorgau.simulator.video.compose_scenes import SIZES, Image, encode, read

# The source's near lanes (x, y, width, height in its 320x240 pixels), 16:9.
CROP = (16, 110, 224, 126)
WORK = (1280, 720)  # composed at the main stream's size, scaled down for the sub stream
PLATE_SHARE = 0.27  # a 520 mm plate on a 1.9 m wide car front
PLATE_CENTRE_Y = 0.80  # the front plate's centre, down the vehicle box (front view, bumper above the shadow)
# Against the other clips' quantiser: the sub stream, which the analysis reads the plates from, a little finer;
# the main stream (viewing, evidence; twice the pixels per plate) a little coarser, to keep the files small.
CRF_CHANGE = {"main": 1, "sub": -2}
SMOOTH = 0.5  # the new box's share: a plate does not jitter with the detector
# Plates of the passing vehicles, in order of appearance (the grammar's formats: private 2012, legal 2012, 1993
# and one Russian plate, which is read and flagged foreign).
PLATES: tuple[tuple[str, str], ...] = (
    ("123ABC07", "kz_2012_private"), ("505KTA07", "kz_2012_private"), ("771AMX02", "kz_2012_private"),
    ("318BE07", "kz_2012_legal"), ("640HOP01", "kz_2012_private"), ("A123BC64", "ru_private_2"),
    ("902TKE07", "kz_2012_private"), ("246ZPK04", "kz_2012_private"), ("117MNE07", "kz_2012_legal"),
    ("850SAD03", "kz_2012_private"), ("463XKT07", "kz_2012_private"), ("039EBL16", "kz_2012_private"),
)
WANTED = ("777WAN07", "kz_2012_private")  # on the demo watch list (roads/seed.py); only in the wanted-car scene
# The crossing's signal head: cycle (seconds) and where it is drawn (main-stream pixels); red from RED_FROM.
SIGNAL_CYCLE_S, RED_FROM_S, YELLOW_S = 20.0, 10.0, 2.0
SIGNAL_HEAD = (1180, 40, 60, 170)  # x, y, width, height of the housing
TRUTH_EVERY = 6  # every 6th frame of 30 fps: the analysis' 5 frames per second
TRUTH_MIN_PLATE_PX = 45  # plates at least this wide on the sub stream are recorded as readable
STOP_LINE_Y = 0.55  # share of the frame height where the crossing's stop line is painted


@dataclass(slots=True)
class Placed:
    """A vehicle track and the plate it carries."""

    text: str
    format_code: str
    box: tuple[float, float, float, float]  # smoothed, main-stream pixels


def zoomed(frames: Sequence[Image]) -> Iterator[Image]:
    """The crop of the near lanes, scaled up to the working size."""
    x, y, w, h = CROP
    for frame in frames:
        yield np.asarray(cv2.resize(frame[y:y + h, x:x + w], WORK, interpolation=cv2.INTER_CUBIC), dtype=np.uint8)


def vehicle_tracks(frames: Sequence[Image], fps: float) -> list[dict[int, tuple[float, float, float, float]]]:
    """Per frame, track id -> vehicle box (main-stream pixels), from the analytics' detector and tracker on the
    sub-stream size, as the pipeline sees it."""
    from qorgau.video.analytics.detector import load_detector
    from qorgau.video.analytics.tracker import Tracker
    from qorgau.video.config import VideoSettings

    detector = load_detector(VideoSettings())
    tracker = Tracker()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    sub_size = SIZES["sub"][0]
    out: list[dict[int, tuple[float, float, float, float]]] = []
    for index, frame in enumerate(frames):
        small = np.asarray(cv2.resize(frame, sub_size, interpolation=cv2.INTER_AREA), dtype=np.uint8)
        found = [d for d in detector.detect(small) if d.label in ("car", "truck", "bus")]
        tracks = tracker.update(found, start + timedelta(seconds=index / fps))
        out.append({t.track_id: (t.box[0] * WORK[0], t.box[1] * WORK[1], t.box[2] * WORK[0], t.box[3] * WORK[1])
                    for t in tracks})
    return out


def paste_plate(frame: Image, plate: Image, box: tuple[float, float, float, float]) -> int:
    """The plate drawn on the vehicle's front, scaled with the box, a little softened and shaded like the car;
    returns its width in pixels (0: not drawn)."""
    x1, y1, x2, y2 = box
    width = round((x2 - x1) * PLATE_SHARE)
    if width < 12:
        return 0  # too far away to show
    height = max(3, round(width * plate.shape[0] / plate.shape[1]))
    left = round((x1 + x2) / 2 - width / 2)
    top = round(y1 + (y2 - y1) * PLATE_CENTRE_Y - height / 2)
    if left < 0 or top < 0 or left + width > frame.shape[1] or top + height > frame.shape[0]:
        return 0  # the plate has left the picture
    scaled = cv2.GaussianBlur(cv2.resize(plate, (width, height), interpolation=cv2.INTER_AREA).astype(np.float32),
                              (0, 0), 0.6)
    # Shaded by the light on the car there: a plate in the shadow under a truck is darker than one in the sun.
    around = frame[max(0, top - height):top + 2 * height, left:left + width].astype(np.float32).mean() / 255.0
    shade = float(np.clip(0.55 + 0.5 * around, 0.6, 1.0))
    frame[top:top + height, left:left + width] = np.clip(scaled * shade, 0, 255).astype(np.uint8)
    return width


Boxes = list[dict[int, tuple[float, float, float, float]]]


Truth = list[dict[str, Any]]


def with_plates(frames: list[Image], boxes: Boxes,
                swap: dict[int, tuple[str, str]] | None = None) -> tuple[list[Image], Truth]:
    """Every vehicle given a plate (in order of appearance, from ``PLATES``; ``swap`` replaces the n-th), and the
    record of what was drawn where in every analysed frame (``TRUTH_EVERY``) with a plate wide enough to read:
    frame, text, the vehicle's box in sub-stream pixels."""
    from qorgau.roads.plates.render import render_plate

    placed: dict[int, Placed] = {}
    rendered: dict[str, Image] = {}
    out: list[Image] = []
    truth: Truth = []
    half = SIZES["sub"][0][0] / WORK[0]
    for index, (frame, seen) in enumerate(zip(frames, boxes, strict=True)):
        frame = frame.copy()
        for track_id, box in seen.items():
            item = placed.get(track_id)
            if item is None:
                text, code = (swap or {}).get(len(placed), PLATES[len(placed) % len(PLATES)])
                item = placed[track_id] = Placed(text, code, box)
            else:
                x1, y1, x2, y2 = (SMOOTH * n + (1 - SMOOTH) * o for n, o in zip(box, item.box, strict=True))
                if box[3] >= WORK[1] - 2:  # leaving at the bottom: the box is cut, keep the car's proportions
                    y2 = y1 + (item.box[3] - item.box[1]) * (x2 - x1) / max(1.0, item.box[2] - item.box[0])
                if box[1] <= 2:  # still entering at the top: the box is cut there; a car's front is ~0.9 wide
                    y1 = y2 - 0.9 * (x2 - x1)
                item.box = (x1, y1, x2, y2)
            if item.text not in rendered:
                rendered[item.text] = np.ascontiguousarray(render_plate(item.text, item.format_code)[:, :, ::-1])
            drawn = paste_plate(frame, rendered[item.text], item.box)
            if index % TRUTH_EVERY == 0 and drawn * half >= TRUTH_MIN_PLATE_PX:
                truth.append({"frame": index, "plate": item.text, "format": item.format_code,
                              "box": [round(v * half) for v in box]})
        out.append(frame)
    return out, truth


def signal_phase(t: float) -> str:
    """The crossing's signal at ``t`` seconds into the clip (the clip loops on whole cycles)."""
    t %= SIGNAL_CYCLE_S
    if t >= RED_FROM_S:
        return "red"
    return "yellow" if t >= RED_FROM_S - YELLOW_S else "green"


def crossing(frames: list[Image], boxes: Boxes, fps: float) -> Iterator[Image]:
    """A stop line painted on the road (not over the vehicles) and a signal head that cycles."""
    line = np.zeros(frames[0].shape[:2], np.uint8)
    y = round(WORK[1] * STOP_LINE_Y)
    cv2.line(line, (0, y), (WORK[0], y - 40), 255, 10)
    x, top, w, h = SIGNAL_HEAD
    for index, (frame, seen) in enumerate(zip(frames, boxes, strict=True)):
        frame = frame.copy()
        road = np.ones(line.shape, bool)  # paint the road only, not a car over the line
        for bx1, by1, bx2, by2 in seen.values():
            road[max(0, int(by1)):int(by2) + 1, max(0, int(bx1)):int(bx2) + 1] = False
        frame[(line > 0) & road] = (235, 235, 235)
        cv2.rectangle(frame, (x, top), (x + w, top + h), (25, 25, 25), -1)
        phase = signal_phase(index / fps)
        for k, (name, colour) in enumerate((("red", (40, 40, 255)), ("yellow", (0, 200, 255)),
                                            ("green", (90, 220, 60)))):
            lit = colour if name == phase else tuple(c // 6 for c in colour)
            cv2.circle(frame, (x + w // 2, top + 28 + k * 56), 22, lit, -1)
        yield frame


def main() -> None:
    """Compose the roads' clip families and the wanted-car scene, and write their two streams."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--road3", type=Path, required=True, help="road-3lane.avi (60 fps)")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    fps = 30
    source = read(args.road3)  # 60 fps; decoded in order (seeking these files may crash OpenCV)
    count = round(args.seconds * fps)
    normal = list(zoomed(source[::2][:count]))
    fast = list(zoomed(source[::3][:count]))  # the same road 1.5 times as fast: the speed points' speeders
    seen, seen_fast = vehicle_tracks(normal, fps), vehicle_tracks(fast, fps)
    families: dict[str, Callable[[], tuple[list[Image], Truth]]] = {
        "roads-entry": lambda: with_plates(normal, seen),
        "roads-speed": lambda: with_plates(fast, seen_fast),
        "roads-crossing": lambda: with_plates(normal, seen),
        "scene-wanted-car": lambda: with_plates(normal, seen, swap={2: WANTED}),
    }
    for name, make in families.items():
        frames, truth = make()
        if name == "roads-crossing":
            frames = list(crossing(frames, seen, fps))
        for stream, (size, crf) in SIZES.items():
            encode(frames, fps, args.out / f"{name}-{stream}.mp4", size, crf + CRF_CHANGE[stream])
        (args.out / f"{name}-plates.json").write_text(json.dumps(truth, separators=(",", ":")) + "\n")
        print(f"{name}: {len(frames)} frames at {fps} fps, {len(truth)} readable plates recorded")


if __name__ == "__main__":
    main()
