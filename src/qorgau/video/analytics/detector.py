"""The object detector on CPU: an ONNX model (NanoDet by default, or a YOLO export) run by onnxruntime on the
parts of a frame where there was motion.

Everything that can be wrong with a model file (missing, corrupt, another checksum, shapes this code cannot decode)
is found when the detector is built and raised as a `DetectorModelError` naming the file, before a camera starts:
a bad model must stop the start with a reason, not crash each worker in a loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import cv2
import numpy as np
import numpy.typing as npt
import onnxruntime as ort

from qorgau.core.errors import ConfigError
from qorgau.video.analytics import nanodet, yolo
from qorgau.video.analytics.contracts import CLASSES, Detection, PixelBox
from qorgau.video.analytics.crops import nms, plan_crops
from qorgau.video.analytics.model_setup import default_model_path, expected_sha256, load_manifest, sha256_file

if TYPE_CHECKING:
    from qorgau.video.config import VideoSettings

Family = Literal["nanodet", "yolo"]
COCO_CLASSES: dict[int, str] = {0: "person", 1: "bicycle", 2: "car", 3: "motorcycle", 5: "bus", 7: "truck"}
# One suppression group for the boxy vehicles: a van scored both "car" and "truck" is one object, not two.
_GROUP = {"car": "vehicle", "bus": "vehicle", "truck": "vehicle"}
_NANODET_MEAN_SCALAR = (103.53, 116.28, 123.675)  # BGR, NanoDet's training normalisation
_NANODET_INV_STD = (1 / 57.375, 1 / 57.12, 1 / 58.395)


class DetectorModelError(ConfigError):
    """The detector's model cannot be used; the message names the file and says why."""


@dataclass(frozen=True, slots=True)
class DetectorOptions:
    """What the detector is built from (the video settings, or a benchmark's own)."""

    model: Path
    family: Family = "nanodet"
    classes: dict[int, str] = field(default_factory=lambda: dict(COCO_CLASSES))
    input_size: int | None = None
    score: float = 0.32
    class_scores: dict[str, float] = field(default_factory=lambda: {"person": 0.45})  # overrides ``score``
    nms_iou: float = 0.5
    nms_contain: float = 0.5  # a box more than this share inside a better one of its group is dropped (crops.nms)
    # Camera code → class → score, overriding the two above for one camera (e.g. one filming traffic from above,
    # where the model is less sure of what it sees); the detector then decodes down to the lowest of them.
    camera_scores: dict[str, dict[str, float]] = field(default_factory=dict)
    threads: int = 1
    sha256: str | None = None  # checked on load when given


def options_from(settings: VideoSettings) -> DetectorOptions:
    """Detector options from the video settings; no model set means the default, pinned by the manifest."""
    model, sha = settings.video_detector_model, settings.video_detector_sha256
    if model is None:
        manifest, precision = load_manifest(), settings.video_detector_precision
        model, sha = default_model_path(manifest, precision), expected_sha256(manifest, precision)
    return DetectorOptions(model=model, family=settings.video_detector_family,
                           classes=dict(settings.video_detector_classes), input_size=settings.video_detector_input_size,
                           score=settings.video_detector_score,
                           class_scores={str(k): v for k, v in settings.video_detector_class_scores.items()},
                           nms_iou=settings.video_detector_nms_iou, nms_contain=settings.video_detector_nms_contain,
                           camera_scores={code: {str(k): v for k, v in scores.items()}
                                          for code, scores in settings.video_detector_camera_scores.items()},
                           threads=settings.video_detector_threads,
                           sha256=sha)


def tuned_session_options(threads: int) -> ort.SessionOptions:
    """Session options for many cameras per core: fixed small thread pools, no spinning, every graph rewrite."""
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    # Spinning threads wait for work by burning a core; with one camera's frames at a time there is none to wait for.
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    opts.add_session_config_entry("session.inter_op.allow_spinning", "0")
    opts.log_severity_level = 3
    return opts


class OnnxDetector:
    """A `Detector` (contracts) over an ONNX model; one per worker process (an onnxruntime session is not shared)."""

    def __init__(self, options: DetectorOptions, session_options: ort.SessionOptions | None = None) -> None:
        self.options = options
        path = options.model
        if not path.is_file():
            defaults = (default_model_path(precision="fp32"), default_model_path(precision="int8"))
            hint = " (run `qorgau video model setup`)" if path in defaults else ""
            raise DetectorModelError(f"detector model {path}: no such file{hint}")
        self.sha256 = sha256_file(path)
        if options.sha256 is not None and self.sha256 != options.sha256:
            raise DetectorModelError(f"detector model {path}: SHA-256 {self.sha256}, expected {options.sha256} "
                                     "(damaged or replaced; `qorgau video model setup --force` rebuilds the default)")
        try:
            self.session = ort.InferenceSession(str(path), session_options or tuned_session_options(options.threads),
                                                providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own untyped errors for unreadable models
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise DetectorModelError(f"detector model {path}: not a usable ONNX model: {first}") from exc
        self.input_name, self.size = self._check_input()
        wanted = sorted(i for i, label in options.classes.items() if label in CLASSES)
        self._wanted = np.array(wanted, np.intp)
        self._labels = [options.classes[i] for i in wanted]
        self._default_scores = self._scores_for({})
        self._camera_scores = {code: self._scores_for(scores) for code, scores in options.camera_scores.items()}
        # Decoding keeps what any camera wants; each camera's own thresholds are applied after suppression (which
        # only lets a better box remove a worse one, so thresholding after it equals thresholding before).
        self._thresholds = np.minimum.reduce([self._default_scores, *self._camera_scores.values()])
        self._plan_outputs(self._warm_up())

    def _scores_for(self, overrides: dict[str, float]) -> npt.NDArray[np.float32]:
        """The score threshold of each wanted class: the override, else the class's, else the general one."""
        return np.array([overrides.get(label, self.options.class_scores.get(label, self.options.score))
                         for label in self._labels], np.float32)

    def _fail(self, why: str) -> DetectorModelError:
        return DetectorModelError(f"detector model {self.options.model} ({self.options.family}): {why}")

    def _check_input(self) -> tuple[str, int]:
        inputs = self.session.get_inputs()
        if len(inputs) != 1 or len(inputs[0].shape) != 4:
            shapes = [list(i.shape) for i in inputs]
            raise self._fail(f"expects one image input (1, 3, H, W), the model has {shapes}")
        _, channels, height, width = inputs[0].shape
        if channels != 3:
            raise self._fail(f"input {list(inputs[0].shape)} is not 3-channel NCHW")
        fixed = [d for d in (height, width) if isinstance(d, int)]
        if fixed and (len(fixed) == 1 or height != width):
            raise self._fail(f"input {list(inputs[0].shape)} is not square")
        if fixed:
            size = int(height)
            if self.options.input_size not in (None, size):
                raise self._fail(f"input size is fixed at {size}, the settings ask {self.options.input_size}")
        else:
            size = self.options.input_size or (416 if self.options.family == "nanodet" else 640)
        if size % 32:
            raise self._fail(f"input size {size} is not a multiple of 32 (the coarsest stride)")
        return inputs[0].name, size

    def _warm_up(self) -> list[list[int]]:
        blank = np.zeros((1, 3, self.size, self.size), np.float32)
        try:
            outputs = self.session.run(None, {self.input_name: blank})
        except Exception as exc:  # a graph whose shapes do not fit fails only when run
            raise self._fail(f"fails on a {self.size}×{self.size} input: {str(exc).strip()[:300]}") from exc
        return [list(o.shape) for o in outputs]

    def _plan_outputs(self, shapes: list[list[int]]) -> None:
        top = max(self.options.classes, default=-1)
        self._levels: list[nanodet.Level] = []
        self._layout: yolo.Layout = "v8"
        try:
            if self.options.family == "nanodet":
                classes = max((s[2] for s in shapes if len(s) == 3), default=0)
                self._levels = nanodet.plan_levels(shapes, self.size, classes)
            else:
                self._layout, classes = yolo.plan_layout(shapes, self.size)
        except ValueError as exc:
            raise self._fail(f"outputs {shapes} do not fit: {exc}") from exc
        if top >= classes:
            raise self._fail(f"the class map names class {top}, the model has {classes} classes")

    @property
    def name(self) -> str:
        """The model's name and checksum prefix, for logs and results."""
        return f"{self.options.model.stem}@{self.sha256[:12]}"

    def blob(self, crop: npt.NDArray[np.uint8]) -> tuple[npt.NDArray[np.float32], float]:
        """The crop letterboxed into the model's square input (top-left, padded), and the scale applied."""
        h, w = crop.shape[:2]
        scale = self.size / max(h, w)
        rw, rh = max(1, round(w * scale)), max(1, round(h * scale))
        nanodet_family = self.options.family == "nanodet"
        # NanoDet pads with black before normalising (as it was trained); YOLO exports with grey 114.
        canvas = np.full((self.size, self.size, 3), 0 if nanodet_family else 114, np.uint8)
        canvas[:rh, :rw] = cv2.resize(crop, (rw, rh), interpolation=cv2.INTER_LINEAR)
        # blobFromImage converts, subtracts and transposes to NCHW in one optimised pass: 3× faster than NumPy.
        if nanodet_family:
            blob = cv2.dnn.blobFromImage(canvas, 1.0, (self.size, self.size), _NANODET_MEAN_SCALAR, False, False)
            for channel in range(3):
                blob[0, channel] *= _NANODET_INV_STD[channel]
        else:
            blob = cv2.dnn.blobFromImage(canvas, 1 / 255, (self.size, self.size), (0.0, 0.0, 0.0), True, False)
        return np.asarray(blob, dtype=np.float32), scale

    def infer(self, crop: npt.NDArray[np.uint8]) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32],
                                                          npt.NDArray[np.intp]]:
        """Boxes (pixels of the crop), scores and label indices for one BGR crop, before suppression."""
        blob, scale = self.blob(crop)
        outputs = self.session.run(None, {self.input_name: blob})
        if self.options.family == "nanodet":
            boxes, scores, cls = nanodet.decode(outputs, self._levels, self._wanted, self._thresholds)
        else:
            boxes, scores, cls = yolo.decode(outputs[0], self._layout, self._wanted, self._thresholds)
        boxes /= scale
        h, w = crop.shape[:2]
        np.clip(boxes, 0, [w, h, w, h], out=boxes)
        return boxes, scores, cls

    def detect(self, frame_bgr: npt.NDArray[np.uint8], regions: Sequence[PixelBox] | None = None,
               camera: str | None = None) -> list[Detection]:
        """Objects in a BGR frame, looking only at the motion ``regions`` when given; boxes relative to the frame.
        ``camera`` (its code) picks that camera's score thresholds where the settings give it its own."""
        if frame_bgr.ndim == 2 or frame_bgr.shape[2] == 1:  # a grey (IR) frame handed over as one channel
            frame_bgr = np.asarray(cv2.cvtColor(frame_bgr, cv2.COLOR_GRAY2BGR), dtype=np.uint8)
        elif frame_bgr.shape[2] == 4:
            frame_bgr = np.asarray(cv2.cvtColor(frame_bgr, cv2.COLOR_BGRA2BGR), dtype=np.uint8)
        height, width = frame_bgr.shape[:2]
        if regions is None:
            crops: list[PixelBox] = [(0, 0, width, height)]
        else:
            crops = plan_crops(regions, width, height, self.size)
        found: list[tuple[npt.NDArray[np.float32], npt.NDArray[np.float32], npt.NDArray[np.intp]]] = []
        for x1, y1, x2, y2 in crops:
            boxes, scores, cls = self.infer(frame_bgr[y1:y2, x1:x2])
            boxes += np.array([x1, y1, x1, y1], np.float32)
            found.append((boxes, scores, cls))
        if not found:
            return []
        boxes = np.concatenate([f[0] for f in found])
        scores = np.concatenate([f[1] for f in found])
        cls = np.concatenate([f[2] for f in found])
        groups = np.array([self._group_of(int(c)) for c in cls], np.intp)
        wanted = self._camera_scores.get(camera, self._default_scores) if camera else self._default_scores
        out: list[Detection] = []
        for i in nms(boxes, scores, groups, self.options.nms_iou, self.options.nms_contain):
            bx1, by1, bx2, by2 = (float(v) for v in boxes[i])
            if bx2 - bx1 < 2 or by2 - by1 < 2 or scores[i] < wanted[int(cls[i])]:
                continue
            out.append(Detection(label=self._labels[int(cls[i])], score=float(scores[i]),
                                 box=(bx1 / width, by1 / height, bx2 / width, by2 / height)))
        return out

    def _group_of(self, index: int) -> int:
        label = self._labels[index]
        return len(CLASSES) if label in _GROUP else CLASSES.index(label)


def load_detector(settings: VideoSettings) -> OnnxDetector:
    """The detector the settings describe, checked; raises `DetectorModelError` naming the file when unusable."""
    return OnnxDetector(options_from(settings))
