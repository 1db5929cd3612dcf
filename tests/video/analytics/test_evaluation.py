"""Detection evaluation: IoU, greedy matching by score, ignore regions, precision/recall per class and group."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qorgau.video.analytics.evaluation import (
    VEHICLE,
    Labelled,
    Scored,
    Tally,
    evaluate,
    evaluate_frame,
    iou,
    labels_from,
)

LABELS = Path(__file__).resolve().parents[3] / "bench" / "data" / "labels"

coord = st.floats(min_value=0, max_value=1000, allow_nan=False)


@st.composite
def boxes(draw: st.DrawFn) -> tuple[float, float, float, float]:
    x1, x2 = sorted((draw(coord), draw(coord)))
    y1, y2 = sorted((draw(coord), draw(coord)))
    return (x1, y1, x2 + 1, y2 + 1)  # never empty


def test_iou_known_values() -> None:
    assert iou((0, 0, 10, 10), (0, 0, 10, 10)) == 1.0
    assert iou((0, 0, 10, 10), (20, 20, 30, 30)) == 0.0
    assert iou((0, 0, 10, 10), (5, 0, 15, 10)) == pytest.approx(50 / 150)
    assert iou((0, 0, 0, 0), (0, 0, 0, 0)) == 0.0


@given(boxes(), boxes())
def test_iou_symmetric_and_bounded(a: tuple[float, float, float, float], b: tuple[float, float, float, float]
                                   ) -> None:
    value = iou(a, b)
    assert 0.0 <= value <= 1.0
    assert value == pytest.approx(iou(b, a))
    assert iou(a, a) == pytest.approx(1.0)


@given(st.lists(boxes(), max_size=8), st.lists(st.tuples(boxes(), st.floats(0, 1)), max_size=8))
def test_counts_add_up(truths: list[tuple[float, float, float, float]],
                       dets: list[tuple[tuple[float, float, float, float], float]]) -> None:
    """Every label is found or missed, every detection is true or false (no ignore boxes here)."""
    report = evaluate_frame([Scored("car", s, b) for b, s in dets], [Labelled("car", b) for b in truths])
    car = report.classes.get("car", Tally())
    assert car.tp + car.fn == len(truths)
    assert car.tp + car.fp == len(dets)
    assert report.classes.get(VEHICLE, Tally()).tp == car.tp


@given(st.lists(boxes(), min_size=1, max_size=8))
def test_perfect_detector_scores_one(truths: list[tuple[float, float, float, float]]) -> None:
    report = evaluate_frame([Scored("person", 0.9, b) for b in truths], [Labelled("person", b) for b in truths])
    assert report.classes["person"].recall == 1.0
    assert report.classes["person"].precision == 1.0


def test_greedy_by_score_and_duplicates() -> None:
    truth = [Labelled("car", (0, 0, 10, 10))]
    # The better-scored box takes the label even though the weaker one overlaps it more; the weaker is a duplicate.
    dets = [Scored("car", 0.4, (0, 0, 10, 10)), Scored("car", 0.9, (0, 0, 10, 12))]
    car = evaluate_frame(dets, truth).classes["car"]
    assert (car.tp, car.fp, car.fn) == (1, 1, 0)


def test_below_threshold_is_a_miss_and_a_false_positive() -> None:
    car = evaluate_frame([Scored("car", 0.9, (5, 0, 15, 10))], [Labelled("car", (0, 0, 10, 10))]).classes["car"]
    assert (car.tp, car.fp, car.fn) == (0, 1, 1)
    assert car.precision == 0.0 and car.recall == 0.0


def test_ignore_regions_count_neither_way() -> None:
    labels = [Labelled("car", (0, 0, 10, 10), ignore=True), Labelled("car", (100, 100, 140, 130))]
    # Nothing detected in the ignore box: not a miss. A detection inside it: not a false positive.
    assert evaluate_frame([], labels).classes["car"].fn == 1
    tally = evaluate_frame([Scored("car", 0.8, (1, 1, 9, 9)), Scored("car", 0.9, (100, 100, 140, 130))],
                           labels).classes["car"]
    assert (tally.tp, tally.fp, tally.fn) == (1, 0, 0)
    # One box over two tiny ignored cars side by side is ignored too, though it is half inside each.
    pair = [Labelled("car", (0, 0, 10, 10), ignore=True), Labelled("car", (10, 0, 20, 10), ignore=True)]
    assert evaluate_frame([Scored("car", 0.6, (0, 0, 20, 10))], pair).classes["car"].fp == 0
    # A duplicate of a counted object stays a false positive even when it falls in an ignore region.
    labels = [Labelled("car", (0, 0, 100, 100), ignore=True), Labelled("car", (0, 0, 50, 50))]
    dets = [Scored("car", 0.9, (0, 0, 50, 50)), Scored("car", 0.5, (0, 0, 48, 50))]
    assert evaluate_frame(dets, labels).classes["car"].fp == 1


def test_vehicle_group_forgives_the_wrong_vehicle_class() -> None:
    report = evaluate_frame([Scored("bus", 0.7, (0, 0, 50, 30))], [Labelled("truck", (0, 0, 50, 30))])
    assert report.classes["truck"].fn == 1 and report.classes["bus"].fp == 1
    assert report.classes[VEHICLE].tp == 1 and report.classes[VEHICLE].fp == 0
    # A person is not a vehicle.
    assert VEHICLE not in evaluate_frame([Scored("person", 0.7, (0, 0, 5, 5))], []).classes


def test_min_score_and_sum_over_frames() -> None:
    frame = ([Scored("person", 0.2, (0, 0, 10, 20))], [Labelled("person", (0, 0, 10, 20))])
    assert evaluate([frame, frame]).classes["person"].tp == 2
    person = evaluate([frame, frame], min_score=0.3).classes["person"]
    assert (person.tp, person.fn, person.precision) == (0, 2, None)
    assert evaluate([frame], min_score=0.3).as_dict()["person"]["recall"] == 0.0


def test_label_files_are_well_formed() -> None:
    """The hand labels: every box inside its frame and of a known class, frames in order and within the clip."""
    files = sorted(LABELS.glob("*.json")) + sorted(LABELS.glob("holdout/*.json"))
    assert {f.stem for f in files} >= {"road-640x360", "highway-cctv", "road-3lane", "vtest"}
    for path in files:
        data = json.loads(path.read_text())
        if "frames" not in data:
            continue  # the line counts file
        width, height = data["width"], data["height"]
        indices = [f["frame"] for f in data["frames"]]
        assert indices == sorted(set(indices)), path.name
        for frame in data["frames"]:
            for lab in labels_from(frame["objects"]):
                x1, y1, x2, y2 = lab.box
                assert 0 <= x1 < x2 <= width and 0 <= y1 < y2 <= height, (path.name, frame["frame"], lab)
                assert lab.label in {"person", "bicycle", "car", "motorcycle", "bus", "truck"}
