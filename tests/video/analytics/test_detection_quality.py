"""A cheap guard on detection quality: the shipped detector and thresholds keep finding the vehicles on three
hand-labelled road frames (bench/detection_quality.py measures all labelled frames; this keeps the level it found
on these three, so a change of model, decoding or thresholds that loses vehicles fails here first)."""

from __future__ import annotations

import json
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt
import pytest

from qorgau.video.analytics.detector import load_detector
from qorgau.video.analytics.evaluation import VEHICLE, Labelled, Report, Scored, evaluate_frame, labels_from
from qorgau.video.analytics.model_setup import cached_model_ok, default_model_path
from qorgau.video.config import VideoSettings
from tests.conftest import SHARED

LABELS = Path(__file__).resolve().parents[3] / "bench" / "data" / "labels"
# (clip, frame): 8 + 5 + 4 vehicles labelled. When this was written the fp32 build found 16 of them and the int8 build
# 15 (the van half under the clip's on-screen text and one more), neither with a false box; the bound holds both.
FRAMES = (("highway-cctv", 714), ("road-3lane", 864), ("road-3lane", 1104))
MIN_FOUND = 15
MAX_FALSE = 1


def frames(clip: str, wanted: set[int]) -> dict[int, npt.NDArray[np.uint8]]:
    """The wanted frames by decode index, decoded in order (as the labels count them)."""
    out: dict[int, npt.NDArray[np.uint8]] = {}
    with av.open(str(SHARED / "data" / "video" / f"{clip}.avi")) as container:
        for index, frame in enumerate(container.decode(video=0)):
            if index in wanted:
                out[index] = np.asarray(frame.to_ndarray(format="bgr24"), dtype=np.uint8)
            if index >= max(wanted):
                break
    return out


def labels(clip: str, index: int) -> list[Labelled]:
    data = json.loads((LABELS / f"{clip}.json").read_text(encoding="utf-8"))
    frame = next(f for f in data["frames"] if f["frame"] == index)
    regions = [Labelled("car", tuple(r["box"]), ignore=True) for r in data.get("ignore_regions", [])]
    return labels_from(frame["objects"]) + regions


@pytest.mark.timeout(60)
def test_vehicles_found_on_labelled_road_frames(tmp_path: Path) -> None:
    if not cached_model_ok():
        pytest.fail(f"no verified detector model at {default_model_path()}: run `qorgau video model setup` "
                    "(./run test does)")
    detector = load_detector(VideoSettings(data_dir=tmp_path))  # the shipped thresholds
    total = Report()
    for clip in sorted({c for c, _ in FRAMES}):
        wanted = {i for c, i in FRAMES if c == clip}
        for index, image in frames(clip, wanted).items():
            height, width = image.shape[:2]
            found = [Scored(d.label, d.score, (d.box[0] * width, d.box[1] * height, d.box[2] * width,
                                               d.box[3] * height)) for d in detector.detect(image)]
            total.add(evaluate_frame(found, labels(clip, index)))
    vehicles = total.tally(VEHICLE)
    assert vehicles.tp + vehicles.fn == 17, total.as_dict()  # the labels themselves did not change
    assert vehicles.tp >= MIN_FOUND and vehicles.fp <= MAX_FALSE, total.as_dict()
