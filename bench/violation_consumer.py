"""The violation pipeline's cost in the video worker's analysis thread (ADR 0043): CPU per analysed frame of the
enforcement consumer's ``frame()`` beside the plate consumer's (the baseline: the consumer already in that thread).

Each case sees the same frames: a sub-stream picture (640x360 by default) with four vehicles crossing it, their
tracks appearing and leaving; both consumers keep what they keep (times, boxes and frame copies; crops), and neither
reads plates nor opens violations here (their threads' work is not the analysis thread's). CPU time of the calling
thread, interleaved rounds, medians.

Run: ``.venv/bin/python bench/violation_consumer.py [--frames 300] [--rounds 3] [--width 640 --height 360]``
(under a minute).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness

from qorgau.roads.enforcement.consumer import CameraRole, EnforcementTracks
from qorgau.roads.plates.consumer import PlateTracks

T0 = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
VEHICLES = 4


@dataclass(frozen=True)
class _Track:
    track_id: int
    label: str
    box: tuple[float, float, float, float]


@dataclass(frozen=True)
class _Frame:
    device_id: int
    code: str
    wall: datetime
    tracks: list[_Track]
    detected: bool = True


class _NoReader:
    """Reads nothing: the plate consumer's reading thread is not what is measured."""

    def read(self, _crop: object) -> None:
        return None


def frames(count: int) -> list[_Frame]:
    """Four vehicles at a time drive down the picture in 3 s (30 frames at 10 fps), then new ones come."""
    out = []
    for i in range(count):
        tracks = []
        for lane in range(VEHICLES):
            phase = (i + lane * 7) % 40
            if phase < 30:
                y = 0.1 + phase / 30 * 0.7
                x = 0.1 + lane * 0.2
                tracks.append(_Track(1000 * lane + (i + lane * 7) // 40, "car", (x, y, x + 0.15, y + 0.12)))
        out.append(_Frame(1, "CAM-BENCH", T0 + timedelta(seconds=i / 10), tracks))
    return out


def measure(consumer: Any, sequence: list[_Frame], picture: np.ndarray[Any, np.dtype[np.uint8]]) -> dict[str, float]:
    started = time.thread_time()
    wall = time.perf_counter()
    for frame in sequence:
        consumer.frame(frame, picture)
    cpu = time.thread_time() - started
    return {"us_per_frame": 1e6 * cpu / len(sequence), "ms_per_frame": 1e3 * cpu / len(sequence),
            "wall_us_per_frame": 1e6 * (time.perf_counter() - wall)
            / len(sequence), "frames": len(sequence)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--width", type=int, default=640)
    parser.add_argument("--height", type=int, default=360)
    args = parser.parse_args()
    run = harness.Run("violation_consumer")
    sequence = frames(args.frames)
    picture = np.random.default_rng(1).integers(0, 255, (args.height, args.width, 3), dtype=np.uint8)
    role = CameraRole("intersection", lamp_roi=(args.width - 40, 10, 20, 40))

    def enforcement(_round: int) -> dict[str, float]:
        # A handler that only counts: what the pipeline thread does is not measured here.
        tracks = EnforcementTracks(lambda _record: "bench:handled", lambda _d: role, wait_s=3600.0,
                                   queue_size=100_000)
        return measure(tracks, sequence, picture)

    def plates(_round: int) -> dict[str, float]:
        # Never closed: its thread would read the crops; the frames' share is what is measured.
        tracks = PlateTracks(lambda _finished: None, reader_factory=lambda: _NoReader())  # type: ignore[arg-type,return-value]
        return measure(tracks, sequence, picture)

    rounds = harness.interleave({"plate_consumer": plates, "enforcement_consumer": enforcement}, rounds=args.rounds)
    cases = harness.summarise(rounds, baseline="plate_consumer", metric="us_per_frame")
    ours = cases["enforcement_consumer"]["median"]["ms_per_frame"]
    base = cases["plate_consumer"]["median"]["ms_per_frame"]
    for case in cases.values():
        case["picture"] = f"{args.width}x{args.height}"
        case["vehicles"] = VEHICLES
    rows = [harness.readme_row(
        "`bench/violation_consumer.py`: the enforcement consumer's CPU per analysed frame in the analysis thread "
        f"({VEHICLES} vehicles, {args.width}x{args.height}, lamp ROI kept)",
        result=f"{harness.ms(ours)} per frame", baseline=f"plate consumer {harness.ms(base)}",
        target="< 1 ms (1 % of a 10 fps frame interval)", met=ours < 1.0)]
    harness.write_result("violation_consumer", run.finish(cases=cases, readme=rows, rounds=args.rounds))


if __name__ == "__main__":
    main()
