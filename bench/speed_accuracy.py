"""Spot speed accuracy on synthetic tracks: a known road-plane homography, cars at known speeds 20–100 km/h
filmed at 25 fps for one second with box jitter (1.5 px sigma), frame-time jitter (4 ms sigma) and a calibration
fitted on six marks clicked with 2 px sigma error (a fresh calibration every 50 tracks).

Qorgau's robust line fit over the whole track (`qorgau.roads.enforcement.measure.spot_speed`) beside the naive
two-point estimate (first and last box) as the baseline, interleaved rounds (`bench/harness.py`). The error budget
runs the same tracks with one error source at a time. Run: `.venv/bin/python bench/speed_accuracy.py`.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import harness
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the tests' synthetic geometry

from tests.roads.enforcement.synthetic import calibration_pairs, track

from qorgau.roads.enforcement import measure
from qorgau.roads.enforcement.measure import Homography, SpotSpeed

SPEEDS = (20.0, 40.0, 60.0, 80.0, 100.0)
OURS, BASE = "robust_fit", "two_point"
Estimator = Callable[[list[float], list[tuple[float, float, float, float]], Homography], float]


def _robust(times: list[float], boxes: list[tuple[float, float, float, float]], h: Homography) -> float:
    found = measure.spot_speed(times, boxes, h)
    if not isinstance(found, SpotSpeed):
        raise RuntimeError(f"no measurement: {found}")
    return found.kmh


def _errors(estimate: Estimator, seed: int, tracks: int, *, box_px: float = 1.5, time_s: float = 0.004,
            click_px: float = 2.0) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    errors: list[float] = []
    started = time.perf_counter()
    h: Homography | None = None
    for i in range(tracks):
        if i % 50 == 0:
            fitted = measure.fit_homography(*calibration_pairs(rng, click_px=click_px))
            assert isinstance(fitted, Homography)
            h = fitted
        assert h is not None
        speed = SPEEDS[i % len(SPEEDS)]
        times, boxes = track(speed, rng, box_px=box_px, time_jitter_s=time_s)
        errors.append(abs(estimate(times, boxes, h) - speed))
    elapsed = time.perf_counter() - started
    values = np.asarray(errors)
    return {"mean_abs_err_kmh": round(float(values.mean()), 3), "p95_abs_err_kmh": round(float(np.percentile(
        values, 95)), 3), "max_abs_err_kmh": round(float(values.max()), 3),
        "share_under_2kmh": round(float((values < 2.0).mean()), 4), "us_per_track": round(elapsed / tracks * 1e6, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tracks", type=int, default=2000)
    args = parser.parse_args()
    run = harness.Run("speed_accuracy")
    cases: dict[str, Callable[[int], dict[str, float]]] = {
        OURS: lambda r: _errors(_robust, r, args.tracks),
        BASE: lambda r: _errors(measure.two_point_speed, r, args.tracks),
        "budget_box_jitter_only": lambda r: _errors(_robust, r, args.tracks, time_s=0.0, click_px=0.0),
        "budget_time_jitter_only": lambda r: _errors(_robust, r, args.tracks, box_px=0.0, click_px=0.0),
        "budget_calibration_only": lambda r: _errors(_robust, r, args.tracks, box_px=0.0, time_s=0.0),
    }
    rounds = harness.interleave(cases, rounds=args.rounds)
    summary: dict[str, Any] = harness.summarise(rounds, baseline=BASE, metric="p95_abs_err_kmh")
    summary["parameters"] = {"tracks_per_round": args.tracks, "speeds_kmh": list(SPEEDS), "fps": 25,
                             "frames": 25, "box_px_sigma": 1.5, "time_jitter_s_sigma": 0.004, "click_px_sigma": 2.0}
    ours, base = summary[OURS]["median"], summary[BASE]["median"]
    rows = [harness.readme_row(
        f"`bench/speed_accuracy.py`: spot speed on {args.tracks} synthetic tracks per round at 20–100 km/h "
        f"(1.5 px box, 4 ms time and 2 px calibration-click jitter), |error|",
        result=f"p95 {ours['p95_abs_err_kmh']} km/h, max {ours['max_abs_err_kmh']} km/h",
        baseline=f"two-point estimate: p95 {base['p95_abs_err_kmh']} km/h, max {base['max_abs_err_kmh']} km/h",
        target="< 2 km/h", met=ours["max_abs_err_kmh"] < 2.0)]
    budget = ", ".join(f"{name.removeprefix('budget_')}: p95 {summary[name]['median']['p95_abs_err_kmh']} km/h"
                       for name in cases if name.startswith("budget_"))
    path = harness.write_result("speed_accuracy", run.finish(cases=summary, readme=rows),
                                notes=f"Error budget (one source at a time, robust fit): {budget}.")
    print(path.with_suffix(".md").read_text())


if __name__ == "__main__":
    main()
