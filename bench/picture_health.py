"""The picture-health check's cost per camera: what issue 11's camera-health analytics add to the analysis thread.

Frames of the real clips at 640×360 (the analysis width), a camera with a learned reference view checked once per
frame given (the worker checks each camera every ``video_picture_check_s``, 5 s). Cases: the full check (measures,
frozen, covered, sharpness and blur, ORB view match against the reference) against, as the baseline, the measures
alone (what any picture statistic costs: grey copies, histogram, Laplacian). Pinned to one core; interleaved
rounds (bench/harness.py). Target: under 20 ms a check, so 30 cameras checked every 5 s take under 12 % of a core.

Usage: .venv/bin/python bench/picture_health.py [--rounds 3] [--checks 60]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
import harness  # noqa: E402

from qorgau.video.analytics.picture_health import Limits, PictureWatch, Reference, measure  # noqa: E402

CLIPS = (Path("/work/shared/data/video/road-640x360.avi"), Path("/work/shared/data/video/highway-cctv.avi"),
         ROOT / "src/qorgau/simulator/video/clips/pedestrians-sub.mp4")
CAMERAS, CHECK_EVERY_S, TARGET_MS = 30, 5.0, 20.0
Image = npt.NDArray[np.uint8]


def frames(path: Path, count: int) -> list[Image]:
    """``count`` frames a second apart, scaled to the analysis width as the pipeline hands them over."""
    capture = cv2.VideoCapture(str(path))
    step = round(capture.get(cv2.CAP_PROP_FPS) or 25.0)
    out: list[Image] = []
    index = 0
    while len(out) < count:
        ok, frame = capture.read()
        if not ok:
            capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
            continue
        if index % step == 0:
            out.append(np.asarray(cv2.resize(frame, (640, 360), interpolation=cv2.INTER_AREA), dtype=np.uint8))
        index += 1
    capture.release()
    return out


def case(clips: list[list[Image]], *, full: bool) -> dict[str, Any]:
    samples: list[float] = []
    for clip in clips:
        watch = PictureWatch(Limits(learn_after_s=1e9), Reference(grey=measure(clip[0])[1]))
        watch.reference.sharpness["day"] = watch.reference.blur["day"] = 1.0  # type: ignore[union-attr]
        for n, frame in enumerate(clip):
            started = time.perf_counter()
            if full:
                watch.check(frame, n * CHECK_EVERY_S)
            else:
                measure(frame)
            samples.append((time.perf_counter() - started) * 1000)
    p = harness.percentiles(samples)
    return {"checks": len(samples), "clips": len(clips), "width": 640, "per_check_ms_p50": p["p50_ms"],
            "per_check_ms_p95": p["p95_ms"],
            "core_share_30_cameras_pct": round(p["p50_ms"] * CAMERAS / CHECK_EVERY_S / 10, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--checks", type=int, default=60, help="Checks per clip and round.")
    parser.add_argument("--no-write", action="store_true", help="Print, do not record the result.")
    args = parser.parse_args()
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core, as the target says
    cv2.setNumThreads(1)  # as the video worker sets it
    run = harness.Run("picture_health")
    clips = [frames(path, args.checks) for path in CLIPS]
    rounds = harness.interleave({"measures_only": lambda _r: case(clips, full=False),
                                 "full_check": lambda _r: case(clips, full=True)}, rounds=args.rounds)
    cases = harness.summarise(rounds, baseline="measures_only", metric="per_check_ms_p50")
    cases["parameters"] = {"cameras": CAMERAS, "check_every_s": CHECK_EVERY_S, "checks_per_clip": args.checks,
                           "clips": len(CLIPS)}
    full = cases["full_check"]["median"]
    rows = [harness.readme_row(
        "`bench/picture_health.py`: picture-health check per camera (frozen, covered, defocused, moved), 640×360, "
        "one core",
        result=f"{harness.ms(full['per_check_ms_p50'])} a check (p95 {harness.ms(full['per_check_ms_p95'])}), "
               f"{full['core_share_30_cameras_pct']} % of a core for 30 cameras every 5 s",
        baseline=f"measures only {harness.ms(cases['measures_only']['median']['per_check_ms_p50'])} "
                 f"({harness.times(cases['full_check']['ratio'])})",
        target=f"< {TARGET_MS:g} ms a check", met=full["per_check_ms_p50"] < TARGET_MS)]
    data = run.finish(cases=cases, readme=rows)
    if args.no_write:
        print(rows[0])
        return
    print(harness.write_result("picture_health", data))


if __name__ == "__main__":
    main()
