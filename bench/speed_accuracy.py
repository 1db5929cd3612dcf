"""Spot speed accuracy on synthetic tracks (ADR 0052): a known road-plane homography, cars at known speeds
20–100 km/h filmed at 25 fps for one second with box jitter (1.5 px sigma) and frame-time jitter (4 ms sigma, or
none where the times are the stream's PTS), and a calibration fitted on marks clicked with 2 px sigma error (a
fresh calibration every 50 tracks; one the residual test refuses is clicked again and counted).

The target, precisely: every speed Qorgau measures is within ±2 km/h of the truth; a track it refuses (its
3-sigma uncertainty over 2 km/h: too jittery, calibration too coarse, or both) is counted, and the refused share
is reported beside the result. Cases:
- ``six_marks`` / ``six_marks_pts``: the stated set-up (six marks) with arrival-time jitter / with PTS times;
- ``surveyed_24`` / ``surveyed_24_pts``: 24 surveyed marks (both lane edges and the lane line every 5 m);
  ``surveyed_24_pts_4_sigmas`` keeps 4 sigmas (not 3) within 2 km/h: the price of a rarer miss;
- ``previous``: the baseline, what Qorgau did before: picture → plane fit in metres (DLT), no uncertainty of
  its own, every track measured;
- ``budget_*``: six marks, one error source at a time, every track measured (the error budget).
Run: `.venv/bin/python bench/speed_accuracy.py`.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import cv2
import harness
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the tests' synthetic geometry

from tests.roads.enforcement.synthetic import CALIBRATION_PLANE, SURVEYED_PLANE, calibration_pairs, track

from qorgau.roads.enforcement import measure
from qorgau.roads.enforcement.measure import Homography, NoMeasurement, SpotSpeed

SPEEDS = (20.0, 40.0, 60.0, 80.0, 100.0)
ALLOWED_KMH = 2.0
BASE = "previous"
REASONS = (NoMeasurement.TOO_JITTERY, NoMeasurement.CALIBRATION_TOO_COARSE, NoMeasurement.TOO_UNCERTAIN)


@dataclass(frozen=True, slots=True)
class Setup:
    marks: list[tuple[float, float]]
    box_px: float = 1.5
    time_s: float = 0.004
    click_px: float = 2.0
    refuse: bool = True  # measure only within ALLOWED_KMH at 3 sigmas
    previous: bool = False  # the former calibration fit (picture → plane in metres), no covariance
    coverage: float = measure.COVERAGE  # sigmas of the expanded uncertainty kept within ALLOWED_KMH


def _previous_fit(image: list[tuple[float, float]], plane: list[tuple[float, float]]) -> Homography:
    matrix, _ = cv2.findHomography(np.asarray(image), np.asarray(plane), 0)
    rows = tuple((float(r[0]), float(r[1]), float(r[2])) for r in matrix / matrix[2, 2])
    errors = np.linalg.norm(Homography(rows, 0.0, 0.0).project(image) - np.asarray(plane), axis=1)
    return Homography(rows, float(np.sqrt(np.mean(errors ** 2))), float(errors.max()))


def _calibrate(rng: np.random.Generator, setup: Setup) -> tuple[Homography, int]:
    refused = 0
    while True:
        image, plane = calibration_pairs(rng, click_px=setup.click_px, marks=setup.marks)
        if setup.previous:
            return _previous_fit(image, plane), refused
        fitted = measure.fit_homography(image, plane)
        if isinstance(fitted, Homography):
            return fitted, refused
        refused += 1  # the officer is told the residual and clicks the marks again


def _errors(setup: Setup, seed: int, *, tracks: int) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    errors: list[float] = []
    at_100: list[float] = []
    fit_100: list[float] = []
    calibration_100: list[float] = []
    reasons = dict.fromkeys(REASONS, 0)
    refused_calibrations = 0
    started = time.perf_counter()
    h: Homography | None = None
    for i in range(tracks):
        if i % 50 == 0:
            h, again = _calibrate(rng, setup)
            refused_calibrations += again
        assert h is not None
        speed = SPEEDS[i % len(SPEEDS)]
        times, boxes = track(speed, rng, box_px=setup.box_px, time_jitter_s=setup.time_s)
        found = measure.spot_speed(times, boxes, h, max_uncertainty_kmh=ALLOWED_KMH if setup.refuse else None,
                                   coverage=setup.coverage)
        if not isinstance(found, SpotSpeed):
            reasons[found] += 1
            continue
        errors.append(abs(found.kmh - speed))
        if speed == SPEEDS[-1]:
            at_100.append(errors[-1])
            fit_100.append(found.fit_sigma_kmh)
            calibration_100.append(found.calibration_sigma_kmh)
    elapsed = time.perf_counter() - started
    values = np.asarray(errors)
    figures = {
        "measured_share": round(len(errors) / tracks, 4),
        "p95_abs_err_kmh": round(float(np.percentile(values, 95)), 3),
        "max_abs_err_kmh": round(float(values.max()), 3),
        "over_2kmh": int((values > ALLOWED_KMH).sum()),
        "measured_100": len(at_100),  # the figures at 100 km/h are 0 where none was measured
        "max_abs_err_100_kmh": round(max(at_100), 3) if at_100 else 0.0,
        "fit_sigma_100_kmh": round(float(np.median(fit_100)), 3) if fit_100 else 0.0,
        "calibration_sigma_100_kmh": round(float(np.median(calibration_100)), 3) if calibration_100 else 0.0,
        "refused_calibrations": refused_calibrations,
        "us_per_track": round(elapsed / tracks * 1e6, 1)}
    figures.update({f"refused_{reason}": count for reason, count in reasons.items()})
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tracks", type=int, default=2000)
    args = parser.parse_args()
    six, surveyed = list(CALIBRATION_PLANE), list(SURVEYED_PLANE)
    setups = {
        "six_marks": Setup(six), "six_marks_pts": Setup(six, time_s=0.0),
        "surveyed_24": Setup(surveyed), "surveyed_24_pts": Setup(surveyed, time_s=0.0),
        "surveyed_24_pts_4_sigmas": Setup(surveyed, time_s=0.0, coverage=4.0),
        BASE: Setup(six, refuse=False, previous=True),
        "budget_box_jitter_only": Setup(six, time_s=0.0, click_px=0.0, refuse=False),
        "budget_time_jitter_only": Setup(six, box_px=0.0, click_px=0.0, refuse=False),
        "budget_calibration_only": Setup(six, box_px=0.0, time_s=0.0, refuse=False),
        "budget_all_six_marks": Setup(six, refuse=False),
    }
    run = harness.Run("speed_accuracy")
    cases: dict[str, Callable[[int], dict[str, float]]] = {
        name: partial(_errors, setup, tracks=args.tracks) for name, setup in setups.items()}
    rounds = harness.interleave(cases, rounds=args.rounds)
    summary: dict[str, Any] = harness.summarise(rounds, baseline=BASE, metric="max_abs_err_kmh")
    # What the calibration must give: the 3-sigma uncertainty at 100 km/h within 2 km/h beside the fit's share.
    need: dict[str, float] = {}
    for timing in ("arrival", "pts"):
        fit = summary["budget_all_six_marks" if timing == "arrival" else "budget_box_jitter_only"]["median"][
            "fit_sigma_100_kmh"]
        need[f"max_scale_sigma_pct_{timing}"] = round(math.sqrt(max((ALLOWED_KMH / 3) ** 2 - fit ** 2, 0.0)), 3)
        have = summary["budget_calibration_only"]["median"]["calibration_sigma_100_kmh"]
        need[f"max_click_px_six_marks_{timing}"] = round(2.0 * need[f"max_scale_sigma_pct_{timing}"] / have, 2)
    summary["required_calibration"] = need
    summary["parameters"] = {"tracks_per_round": args.tracks, "speeds_kmh": list(SPEEDS), "fps": 25,
                             "frames": 25, "box_px_sigma": 1.5, "time_jitter_s_sigma": 0.004, "click_px_sigma": 2.0,
                             "allowed_kmh": ALLOWED_KMH, "coverage_sigmas": measure.COVERAGE,
                             "marks_six": len(six), "marks_surveyed": len(surveyed)}
    rows = []
    for name, what in (("six_marks", "six marks, arrival-time jitter"),
                       ("surveyed_24_pts", "24 surveyed marks, PTS times"),
                       ("surveyed_24_pts_4_sigmas", "24 surveyed marks, PTS times, 4 sigmas kept within")):
        # "Every measured track": the worst round and every round's misses count, not the median round.
        figures = summary[name]["rounds"]
        worst = max(f["max_abs_err_kmh"] for f in figures)
        missed = sum(f["over_2kmh"] for f in figures)
        measured = sum(round(f["measured_share"] * args.tracks) for f in figures)
        refused = 1 - measured / (args.tracks * len(figures))
        # The row's totals over all rounds are figures of the result too (the README check finds them there).
        summary[name]["all_rounds"] = {"tracks": args.tracks * len(figures), "measured": measured,
                                       "over_2kmh": missed, "max_abs_err_kmh": worst,
                                       "refused_pct": round(refused * 100, 1)}
        rows.append(harness.readme_row(
            f"`bench/speed_accuracy.py`: spot speed on {args.tracks} synthetic tracks per round at 20–100 km/h "
            f"(1.5 px box, 2 px click jitter; {what}), |error| of every measured track over all rounds",
            result=f"max {worst} km/h, p95 {summary[name]['median']['p95_abs_err_kmh']} km/h, {missed} of "
                   f"{measured} over 2 km/h; refused {round(refused * 100, 1)} %",
            baseline=f"previous fit, all measured: max {max(f['max_abs_err_kmh'] for f in summary[BASE]['rounds'])} "
                     f"km/h, {sum(f['over_2kmh'] for f in summary[BASE]['rounds'])} over 2 km/h",
            target="every measured track within ±2 km/h, refused counted", met=missed == 0))
    budget = ", ".join(f"{name.removeprefix('budget_')}: p95 {summary[name]['median']['p95_abs_err_kmh']}, "
                       f"max {summary[name]['median']['max_abs_err_kmh']} km/h" for name in setups
                       if name.startswith("budget_"))
    sigmas = summary["budget_all_six_marks"]["median"]
    notes = (f"Error budget (six marks, every track measured, one source at a time): {budget}. Predicted 1-sigma "
             f"shares at 100 km/h: fit (box + time) {sigmas['fit_sigma_100_kmh']} km/h, calibration "
             f"{sigmas['calibration_sigma_100_kmh']} km/h. To keep 3 sigmas within 2 km/h at 100 km/h the "
             f"calibration's scale error must stay under {need['max_scale_sigma_pct_arrival']} % (arrival times) / "
             f"{need['max_scale_sigma_pct_pts']} % (PTS); six marks reach that only with clicks within "
             f"{need['max_click_px_six_marks_arrival']} / {need['max_click_px_six_marks_pts']} px (sigma).")
    path = harness.write_result("speed_accuracy", run.finish(cases=summary, readme=rows), notes=notes)
    print(path.with_suffix(".md").read_text())


if __name__ == "__main__":
    main()
