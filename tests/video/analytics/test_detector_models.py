"""Model files the detector must refuse with a clear error naming the file, and the YOLO decoding (on small ONNX
models written here with onnx's helper: their outputs are constants placed where a real export puts them — no YOLO
weights can be fetched here, so this checks the layouts and the box arithmetic, not a trained YOLO)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from qorgau.core.errors import ConfigError
from qorgau.video.analytics.crops import nms, plan_crops
from qorgau.video.analytics.detector import DetectorModelError, DetectorOptions, OnnxDetector, load_detector
from qorgau.video.analytics.model_setup import cached_model_ok
from qorgau.video.config import VideoSettings

SIZE = 64  # a 64 px YOLO export has 8² + 4² + 2² = 84 cells (v8: one row each, v5: three)


def write_model(path: Path, outputs: list[npt.NDArray[np.float32]], *,
                input_shape: tuple[int | str, ...] = (1, 3, SIZE, SIZE)) -> Path:
    """An ONNX model with one image input whose outputs are the given constants."""
    image = helper.make_tensor_value_info("images", TensorProto.FLOAT, list(input_shape))
    nodes, values = [], []
    for i, value in enumerate(outputs):
        name = f"out{i}"
        nodes.append(helper.make_node("Constant", [], [name], value=numpy_helper.from_array(value, f"c{i}")))
        values.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, list(value.shape)))
    model = helper.make_model(helper.make_graph(nodes, "synthetic", [image], values),
                              opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.save(model, str(path))
    return path


def yolo_v8(classes: int, rows: dict[int, tuple[float, float, float, float, int, float]]) -> npt.NDArray[np.float32]:
    """(1, 4 + classes, 84): per anchor cx, cy, w, h (input pixels) and a score for one class."""
    out = np.zeros((1, 4 + classes, 84), np.float32)
    for anchor, (cx, cy, w, h, cls, score) in rows.items():
        out[0, :4, anchor] = (cx, cy, w, h)
        out[0, 4 + cls, anchor] = score
    return out


def yolo_v5(classes: int, rows: dict[int, tuple[float, float, float, float, float, int, float]]
            ) -> npt.NDArray[np.float32]:
    """(1, 252, 5 + classes): per anchor cx, cy, w, h, objectness and a class probability."""
    out = np.zeros((1, 252, 5 + classes), np.float32)
    for anchor, (cx, cy, w, h, obj, cls, prob) in rows.items():
        out[0, anchor, :5] = (cx, cy, w, h, obj)
        out[0, anchor, 5 + cls] = prob
    return out


def yolo(path: Path, **changes: Any) -> OnnxDetector:
    """A detector over a synthetic 3-class model (person, car, truck)."""
    options = DetectorOptions(model=path, family="yolo", classes={0: "person", 1: "car", 2: "truck"})
    return OnnxDetector(replace(options, **changes))


def test_yolo_v8_boxes_map_back_to_the_frame(tmp_path: Path) -> None:
    # A car at (100, 50) 40×20 in a 832×416 frame: letterboxed at scale 64/832, it sits at (7.69, 3.85) 3.08×1.54.
    s = SIZE / 832
    model = write_model(tmp_path / "v8.onnx", [yolo_v8(3, {
        10: (100 * s, 50 * s, 40 * s, 20 * s, 1, 0.9),
        11: (101 * s, 50 * s, 40 * s, 20 * s, 2, 0.6),  # the same object scored "truck": one vehicle, kept once
        12: (100 * s, 50 * s, 40 * s, 20 * s, 0, 0.7),  # a person at the same place is another object
        13: (300 * s, 300 * s, 40 * s, 40 * s, 1, 0.1),  # under the threshold
    })])
    found = yolo(model).detect(np.zeros((416, 832, 3), np.uint8))
    assert [(d.label, round(d.score, 2)) for d in found] == [("car", 0.9), ("person", 0.7)]
    assert np.allclose(found[0].box, (80 / 832, 40 / 416, 120 / 832, 60 / 416), atol=1e-3)


def test_yolo_v5_scores_are_objectness_times_class(tmp_path: Path) -> None:
    model = write_model(tmp_path / "v5.onnx", [yolo_v5(3, {200: (32, 32, 16, 32, 0.8, 0, 0.9)})])
    found = yolo(model).detect(np.zeros((SIZE, SIZE, 3), np.uint8))
    assert [(d.label, round(d.score, 2)) for d in found] == [("person", 0.72)]
    assert np.allclose(found[0].box, (0.375, 0.25, 0.625, 0.75), atol=1e-3)


def test_a_region_is_cropped_and_mapped_back(tmp_path: Path) -> None:
    # The crop planned around a region of a 640×360 frame is letterboxed alone; a box at the input's centre must
    # come back at the crop's centre in frame coordinates.
    (x1, y1, x2, y2), = plan_crops([(300, 150, 340, 190)], 640, 360, SIZE)
    model = write_model(tmp_path / "v8.onnx", [yolo_v8(3, {5: (32, 32, 8, 8, 1, 0.9)})])
    found = yolo(model).detect(np.zeros((360, 640, 3), np.uint8), [(300, 150, 340, 190)])
    scale = SIZE / max(x2 - x1, y2 - y1)
    cx, cy = x1 + 32 / scale, y1 + 32 / scale
    box = found[0].box
    assert abs((box[0] + box[2]) / 2 * 640 - cx) < 1 and abs((box[1] + box[3]) / 2 * 360 - cy) < 1


def test_crops_grow_merge_and_fall_back_to_the_whole_frame() -> None:
    crops = plan_crops([(10, 10, 20, 20)], 640, 360, 416)
    assert len(crops) == 1 and crops[0][2] - crops[0][0] >= 249 and crops[0][0] == 0  # grown, kept inside
    assert len(plan_crops([(100, 100, 120, 120), (130, 100, 150, 120)], 1920, 1080, 416)) == 1  # merged
    assert plan_crops([(i * 60, 0, i * 60 + 10, 10) for i in range(30)], 1920, 1080, 416) == [(0, 0, 1920, 1080)]
    assert plan_crops([], 640, 360, 416) == []


def test_nms_keeps_the_best_of_overlapping_boxes_per_group() -> None:
    boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [0, 0, 10, 10], [50, 50, 60, 60]], np.float32)
    scores = np.array([0.5, 0.9, 0.8, 0.3], np.float32)
    assert nms(boxes, scores, np.array([0, 0, 1, 0], np.intp), 0.5) == [1, 2, 3]


def test_nms_drops_a_part_box_lying_inside_a_better_one_when_asked() -> None:
    """The front half of a car (IoU 0.5 with the whole, so plain suppression keeps it) goes with ``contain``;
    two cars side by side, overlapping a little, both stay."""
    boxes = np.array([[0, 0, 20, 10], [0, 0, 10, 10], [18, 0, 38, 10]], np.float32)
    scores = np.array([0.4, 0.3, 0.35], np.float32)
    groups = np.zeros(3, np.intp)
    assert nms(boxes, scores, groups, 0.5) == [0, 2, 1]
    assert nms(boxes, scores, groups, 0.5, contain=0.5) == [0, 2]


def test_missing_model_names_the_file_and_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(DetectorModelError, match=r"missing\.onnx: no such file"):
        OnnxDetector(DetectorOptions(model=tmp_path / "missing.onnx"))
    monkeypatch.setenv("QORGAU_MODEL_CACHE", str(tmp_path / "empty-cache"))
    assert not cached_model_ok()
    with pytest.raises(DetectorModelError, match=r"nanodet-int8\.onnx: no such file \(run `qorgau video model setup"):
        load_detector(VideoSettings(data_dir=tmp_path))


def test_corrupt_model_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "corrupt.onnx"
    bad.write_bytes(b"\x08\x07not an onnx model" * 64)
    with pytest.raises(DetectorModelError, match=r"corrupt\.onnx: not a usable ONNX model"):
        OnnxDetector(DetectorOptions(model=bad))


def test_checksum_mismatch_is_refused(tmp_path: Path) -> None:
    model = write_model(tmp_path / "v8.onnx", [yolo_v8(3, {})])
    with pytest.raises(DetectorModelError, match=r"v8\.onnx: SHA-256 [0-9a-f]{64}, expected 0{64}"):
        yolo(model, sha256="0" * 64)


@pytest.mark.parametrize(("outputs", "input_shape", "family", "why"), [
    ([yolo_v8(3, {})], (1, 1, SIZE, SIZE), "yolo", "not 3-channel"),
    ([yolo_v8(3, {})], (1, 3, SIZE, 48), "yolo", "not square"),
    ([np.zeros((1, 7, 100), np.float32)], (1, 3, SIZE, SIZE), "yolo", "100 rows"),
    ([yolo_v8(3, {})], (1, 3, SIZE, SIZE), "nanodet", "do not fit"),
    ([np.zeros((1, 16, 80), np.float32), np.zeros((1, 16, 44), np.float32)], (1, 3, SIZE, SIZE), "yolo",
     "rows"),
])
def test_wrong_shapes_are_refused(tmp_path: Path, outputs: list[npt.NDArray[np.float32]],
                                  input_shape: tuple[int, ...], family: str, why: str) -> None:
    model = write_model(tmp_path / "shaped.onnx", outputs, input_shape=input_shape)
    with pytest.raises(DetectorModelError, match=rf"shaped\.onnx.*{why}"):
        yolo(model, family=family)


def test_class_map_beyond_the_model_is_refused(tmp_path: Path) -> None:
    model = write_model(tmp_path / "three.onnx", [yolo_v8(3, {})])
    with pytest.raises(DetectorModelError, match=r"three\.onnx.*names class 7, the model has 3 classes"):
        OnnxDetector(DetectorOptions(model=model, family="yolo"))  # the default COCO map reaches index 7


def test_load_detector_from_settings_fails_before_start(tmp_path: Path) -> None:
    settings = VideoSettings(data_dir=tmp_path, video_detector_model=tmp_path / "nope.onnx",
                             video_detector_family="yolo")
    with pytest.raises(ConfigError, match=r"nope\.onnx"):
        load_detector(settings)


def test_input_size_must_fit_the_strides(tmp_path: Path) -> None:
    model = write_model(tmp_path / "dynamic.onnx", [yolo_v8(3, {})], input_shape=(1, 3, "height", "width"))
    assert yolo(model, input_size=SIZE).size == SIZE  # a dynamic model runs at the size the settings give
    with pytest.raises(DetectorModelError, match=r"dynamic\.onnx.*100 is not a multiple of 32"):
        yolo(model, input_size=100)
