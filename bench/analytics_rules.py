"""The analytics rules engine's cost per analysed frame: what issue 11's rules add to the analysis thread.

30 cameras, each with 8 tracked objects (persons and cars walking and driving across the picture, entering and
leaving the zones, crossing the line), frames at 5 fps of capture time, taken round robin as the worker's analysis
thread takes them. Cases: the engine with five rules per camera (a zone with a night schedule, a line, loitering,
a crowd, a stopped vehicle) against, as the baseline, the engine with no rules (its per-track bookkeeping only).
Pinned to one core; interleaved rounds (bench/harness.py). Target: under 1 ms a frame with the five rules, so 30
cameras at 5 fps take under 15 % of that core beside the decoder, the motion gate and the detector.

Usage: .venv/bin/python bench/analytics_rules.py [--rounds 3] [--frames 300]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
import harness  # noqa: E402

from qorgau.video.analytics.contracts import AnalysedFrame, Track  # noqa: E402
from qorgau.video.analytics.enums import RuleKind  # noqa: E402
from qorgau.video.analytics.rules import CameraRules, RuleSpec, Schedule  # noqa: E402

CAMERAS, TRACKS, FPS = 30, 8, 5
TARGET_US = 1000.0
T0 = datetime(2026, 12, 7, 17, 0, tzinfo=UTC)
YARD = ((0.2, 0.25), (0.8, 0.25), (0.85, 0.9), (0.15, 0.9))
CLASSES = frozenset({"person", "car", "truck", "bus"})
RULES = [
    RuleSpec(1, "yard", RuleKind.ZONE, YARD, frozenset({"person"}), Schedule(frozenset(range(7)), 22 * 60, 6 * 60)),
    RuleSpec(2, "line", RuleKind.LINE, ((0.05, 0.6), (0.95, 0.6)), CLASSES),
    RuleSpec(3, "loiter", RuleKind.LOITERING, YARD, frozenset({"person"}), min_seconds=30),
    RuleSpec(4, "crowd", RuleKind.CROWD, YARD, frozenset({"person"}), min_count=5, min_seconds=5),
    RuleSpec(5, "stopped", RuleKind.STOPPED_VEHICLE, YARD, frozenset({"car", "truck", "bus"}), min_seconds=30),
]


def frames(count: int) -> list[AnalysedFrame]:
    """Round robin over the cameras; each object moves on a diagonal and wraps round, a new id each lap."""
    out = []
    for i in range(count):
        for camera in range(CAMERAS):
            at = T0 + timedelta(seconds=i / FPS)
            tracks = []
            for k in range(TRACKS):
                step = (i + 7 * k) % 100
                x, y = 0.05 + 0.009 * step, 0.1 + 0.008 * step
                lap = (i + 7 * k) // 100
                tracks.append(Track(k + 100 * lap, "person" if k % 2 else "car", 0.7,
                                    (x - 0.03, y - 0.1, x + 0.03, y), at, at))
            out.append(AnalysedFrame(camera, f"CAM-{camera:04d}", at, 640, 360, 0.1, tracks, i % 3 != 2))
    return out


def case(rules: list[RuleSpec], stream: list[AnalysedFrame]) -> dict[str, Any]:
    zone = ZoneInfo("Asia/Oral")
    engines = [CameraRules(rules, zone) for _ in range(CAMERAS)]
    hits = 0
    started = time.perf_counter()
    for frame in stream:
        outcome = engines[frame.device_id].update(frame)
        hits += len(outcome.hits)
    elapsed = time.perf_counter() - started
    per_frame_us = elapsed / len(stream) * 1e6
    return {"cameras": CAMERAS, "fps": FPS, "objects": TRACKS, "rules": len(rules), "frames": len(stream),
            "hits": hits, "per_frame_us": round(per_frame_us, 1),
            "core_share_30_cameras_pct": round(per_frame_us * CAMERAS * FPS / 1e4, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--frames", type=int, default=300, help="Frames per camera.")
    parser.add_argument("--no-write", action="store_true", help="Print, do not record the result.")
    args = parser.parse_args()
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core, as the target says
    run = harness.Run("analytics_rules")
    stream = frames(args.frames)
    rounds = harness.interleave({"no_rules": lambda _r: case([], stream), "five_rules": lambda _r: case(RULES, stream)},
                                rounds=args.rounds)
    cases = harness.summarise(rounds, baseline="no_rules", metric="per_frame_us")
    five = cases["five_rules"]["median"]
    rows = [harness.readme_row(
        "`bench/analytics_rules.py`: rules engine per analysed frame (30 cameras, 8 objects each, 5 rules), one core",
        result=f"{harness.ms(five['per_frame_us'] / 1000)} a frame, {five['core_share_30_cameras_pct']} % of a core "
               "for 30 cameras at 5 fps",
        baseline=f"no rules {harness.ms(cases['no_rules']['median']['per_frame_us'] / 1000)} "
                 f"({harness.times(cases['five_rules']['ratio'])})",
        target="< 1 ms a frame", met=five["per_frame_us"] < TARGET_US)]
    data = run.finish(cases=cases, readme=rows)
    if args.no_write:
        print(rows[0])
        return
    print(harness.write_result("analytics_rules", data))


if __name__ == "__main__":
    main()
